"""Words the synthetic world is made of: ministries, states, designations, titles, free text.

Names of real ministries and states are public facts; every person, course and event built from
these words is invented.
"""

from __future__ import annotations

from evaluation.core.vocabulary import STATES_AND_UTS

__all__ = [
    "CENTRAL_UNITS",
    "STATES",
    "STATE_DEPARTMENTS",
    "GROUP_SPELLINGS",
    "DESIGNATIONS",
    "COURSE_TOPICS",
    "COURSE_FORMS",
    "HINDI_TITLES",
    "COMPETENCY_THEMES",
    "PROVIDERS",
    "OFFICE_KINDS",
    "CITIES",
]

# (ministry, department): a department equal to the ministry means the ministry itself is the
# unit. 90 central ministries / departments, as on the platform.
_MINISTRIES_WITH_DEPARTMENTS = {
    "Ministry of Agriculture and Farmers Welfare": [
        "Department of Agriculture and Farmers Welfare",
        "Department of Agricultural Research and Education",
    ],
    "Ministry of Chemicals and Fertilizers": [
        "Department of Chemicals and Petrochemicals",
        "Department of Fertilizers",
        "Department of Pharmaceuticals",
    ],
    "Ministry of Commerce and Industry": [
        "Department of Commerce",
        "Department for Promotion of Industry and Internal Trade",
    ],
    "Ministry of Communications": ["Department of Posts", "Department of Telecommunications"],
    "Ministry of Consumer Affairs, Food and Public Distribution": [
        "Department of Consumer Affairs",
        "Department of Food and Public Distribution",
    ],
    "Ministry of Defence": [
        "Department of Defence",
        "Department of Defence Production",
        "Department of Defence Research and Development",
        "Department of Ex-Servicemen Welfare",
        "Department of Military Affairs",
    ],
    "Ministry of Education": [
        "Department of School Education and Literacy",
        "Department of Higher Education",
    ],
    "Ministry of Finance": [
        "Department of Economic Affairs",
        "Department of Expenditure",
        "Department of Financial Services",
        "Department of Investment and Public Asset Management",
        "Department of Public Enterprises",
        "Department of Revenue",
    ],
    "Ministry of Health and Family Welfare": [
        "Department of Health and Family Welfare",
        "Department of Health Research",
    ],
    "Ministry of Home Affairs": [
        "Department of Border Management",
        "Department of Internal Security",
        "Department of Official Language",
        "Department of Home",
    ],
    "Ministry of Jal Shakti": [
        "Department of Water Resources, River Development and Ganga Rejuvenation",
        "Department of Drinking Water and Sanitation",
    ],
    "Ministry of Law and Justice": [
        "Department of Legal Affairs",
        "Legislative Department",
        "Department of Justice",
    ],
    "Ministry of Personnel, Public Grievances and Pensions": [
        "Department of Personnel and Training",
        "Department of Administrative Reforms and Public Grievances",
        "Department of Pension and Pensioners' Welfare",
    ],
    "Ministry of Rural Development": [
        "Department of Rural Development",
        "Department of Land Resources",
    ],
    "Ministry of Science and Technology": [
        "Department of Science and Technology",
        "Department of Biotechnology",
        "Department of Scientific and Industrial Research",
    ],
    "Ministry of Social Justice and Empowerment": [
        "Department of Social Justice and Empowerment",
        "Department of Empowerment of Persons with Disabilities",
    ],
    "Ministry of Youth Affairs and Sports": ["Department of Youth Affairs", "Department of Sports"],
    "Ministry of Fisheries, Animal Husbandry and Dairying": [
        "Department of Fisheries",
        "Department of Animal Husbandry and Dairying",
    ],
    "Ministry of Cooperation": ["Ministry of Cooperation"],
}

_SINGLE_UNIT_MINISTRIES = [
    "Ministry of AYUSH",
    "Ministry of Civil Aviation",
    "Ministry of Coal",
    "Ministry of Corporate Affairs",
    "Ministry of Culture",
    "Ministry of Development of North Eastern Region",
    "Ministry of Earth Sciences",
    "Ministry of Electronics and Information Technology",
    "Ministry of Environment, Forest and Climate Change",
    "Ministry of External Affairs",
    "Ministry of Food Processing Industries",
    "Ministry of Heavy Industries",
    "Ministry of Housing and Urban Affairs",
    "Ministry of Information and Broadcasting",
    "Ministry of Labour and Employment",
    "Ministry of Micro, Small and Medium Enterprises",
    "Ministry of Mines",
    "Ministry of Minority Affairs",
    "Ministry of New and Renewable Energy",
    "Ministry of Panchayati Raj",
    "Ministry of Parliamentary Affairs",
    "Ministry of Petroleum and Natural Gas",
    "Ministry of Ports, Shipping and Waterways",
    "Ministry of Power",
    "Ministry of Railways",
    "Ministry of Road Transport and Highways",
    "Ministry of Skill Development and Entrepreneurship",
    "Ministry of Statistics and Programme Implementation",
    "Ministry of Steel",
    "Ministry of Textiles",
    "Ministry of Tourism",
    "Ministry of Tribal Affairs",
    "Ministry of Women and Child Development",
    "Department of Space",
    "Department of Atomic Energy",
    "Cabinet Secretariat",
    "NITI Aayog",
    "Comptroller and Auditor General of India",
    "Union Public Service Commission",
    "Staff Selection Commission",
    "Central Vigilance Commission",
    "Election Commission of India",
    "Capacity Building Commission",
    "Karmayogi Bharat",
]


def _central_units() -> list[tuple[str, str]]:
    units = [
        (ministry, department)
        for ministry, departments in _MINISTRIES_WITH_DEPARTMENTS.items()
        for department in departments
    ]
    units += [(ministry, ministry) for ministry in _SINGLE_UNIT_MINISTRIES]
    return units


#: 90 central (ministry, department) units.
CENTRAL_UNITS: tuple[tuple[str, str], ...] = tuple(_central_units())

#: The states and UTs (the same list ingest recognises).
STATES = STATES_AND_UTS

STATE_DEPARTMENTS = (
    "Department of Health and Family Welfare", "Department of School Education",
    "Department of Revenue", "Department of Rural Development and Panchayati Raj",
    "Department of Home (Police)", "Department of Personnel and Administrative Reforms",
    "Department of Agriculture", "Department of Women and Child Development",
    "Department of Finance", "Department of Urban Development",
)  # fmt: skip

OFFICE_KINDS = ("Regional Office", "Zonal Office", "Directorate", "Training Institute")
CITIES = (
    "New Delhi", "Mumbai", "Kolkata", "Chennai", "Bengaluru", "Hyderabad", "Lucknow", "Guwahati",
    "Bhopal", "Jaipur", "Patna", "Chandigarh", "Bhubaneswar", "Ahmedabad", "Pune", "Shillong",
)  # fmt: skip

#: Free-text spellings of each group, with relative frequencies, as profiles hold them.
GROUP_SPELLINGS: dict[str, tuple[tuple[str, float], ...]] = {
    "A": (
        ("Group A", 0.55), ("A", 0.12), ("group a", 0.06), ("Grp. A", 0.05),
        ("Gazetted Group A", 0.10), ("Group-A", 0.07), ("GROUP A", 0.05),
    ),
    "B": (
        ("Group B", 0.50), ("B", 0.12), ("group-b", 0.08), ("Grp. B", 0.05),
        ("Group B (Gazetted)", 0.10), ("Group B Non-Gazetted", 0.10), ("GROUP B", 0.05),
    ),
    "C": (
        ("Group C", 0.60), ("C", 0.14), ("group c", 0.08), ("Grp. C", 0.08),
        ("Group-C", 0.05), ("GROUP C", 0.05),
    ),
    "Unknown": (("", 0.55), ("Not Applicable", 0.20), ("Others", 0.15), ("NA", 0.10)),
}  # fmt: skip

DESIGNATIONS: dict[str, tuple[str, ...]] = {
    "A": (
        "Under Secretary", "Deputy Secretary", "Director", "Joint Secretary",
        "Assistant Commissioner", "Scientist 'C'", "District Collector", "Deputy Director",
    ),
    "B": (
        "Section Officer", "Assistant Section Officer", "Private Secretary", "Superintendent",
        "Inspector", "Assistant Engineer",
    ),
    "C": (
        "Lower Division Clerk", "Upper Division Clerk", "Multi Tasking Staff", "Stenographer",
        "Data Entry Operator", "Tax Assistant", "Staff Nurse", "Teacher", "Patwari", "Constable",
    ),
    "Unknown": ("Consultant", "Young Professional", "Officer", "Staff", ""),
}  # fmt: skip

COURSE_TOPICS = (
    "Public Procurement", "Cyber Security Awareness", "Office Procedure", "RTI Act 2005",
    "Financial Management", "Ethics in Governance", "Stress Management", "Data Analytics",
    "Project Management", "Mission Karmayogi", "Digital Governance", "Gender Sensitisation",
    "Disaster Management", "Noting and Drafting", "Leadership for Public Servants",
    "Artificial Intelligence Basics", "Citizen-Centric Service Delivery", "e-Office",
    "Government e-Marketplace", "Yoga for Wellness", "Prevention of Sexual Harassment",
    "Emotional Intelligence", "Communication Skills", "Public Policy Analysis",
    "Grievance Redressal", "Climate Change and Sustainability", "Service Rules",
    "Vigilance Administration", "Negotiation Skills", "Time Management",
)  # fmt: skip
COURSE_FORMS = ("Introduction to", "Fundamentals of", "Advanced", "A Primer on", "Essentials of")

#: Hindi course titles (Devanagari), so Indic text is exercised end to end.
HINDI_TITLES = (
    "कर्मयोगी सप्ताह: राष्ट्रीय अध्ययन सप्ताह", "सूचना का अधिकार अधिनियम", "कार्यालय प्रक्रिया",
    "साइबर सुरक्षा जागरूकता", "योग और स्वास्थ्य", "राजभाषा हिंदी का प्रयोग", "नैतिकता और शासन",
    "सार्वजनिक खरीद", "तनाव प्रबंधन", "डिजिटल शासन",
)  # fmt: skip

#: (area, theme, theme type, sub-theme)
COMPETENCY_THEMES = (
    ("behavioural", "Self Awareness", "Competency", "Emotional Regulation"),
    ("behavioural", "Communication", "Competency", "Written Communication"),
    ("behavioural", "Leadership", "Competency", "Decision Making"),
    ("behavioural", "Ethics and Integrity", "Competency", "Value-based Conduct"),
    ("functional", "Procurement", "Competency", "e-Procurement on GeM"),
    ("functional", "Financial Management", "Competency", "Budgeting"),
    ("functional", "Office Management", "Competency", "e-Office Operations"),
    ("functional", "Data Analysis", "Competency", "Descriptive Statistics"),
    ("functional", "Project Management", "Competency", "Planning and Scheduling"),
    ("domain", "Public Health", "Competency", "Primary Health Care"),
    ("domain", "Taxation", "Competency", "Indirect Tax Administration"),
    ("domain", "Rural Development", "Competency", "Panchayat Governance"),
    ("domain", "Internal Security", "Competency", "Border Management"),
    ("domain", "Education", "Competency", "School Governance"),
)  # fmt: skip

PROVIDERS = (
    "Capacity Building Commission", "Karmayogi Bharat",
    "Lal Bahadur Shastri National Academy of Administration",
    "Institute of Secretariat Training and Management", "National Informatics Centre",
    "Indian Institute of Public Administration",
    "Sardar Vallabhbhai Patel National Police Academy",
    "Arun Jaitley National Institute of Financial Management",
    "Ministry of Health and Family Welfare", "Department of Revenue",
)  # fmt: skip

#: Providers whose courses come through the external marketplace.
EXTERNAL_PROVIDERS = ("Coursera", "FutureLearn")
