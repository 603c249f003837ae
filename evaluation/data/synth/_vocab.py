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
    "FRONTLINE_DESIGNATIONS",
    "AI_COURSE_TOPICS",
    "AI_THEME",
    "STATE_REGISTRATION_SHARE",
    "STATE_DEPARTMENT_SIZE",
    "CENTRAL_STAFF_THOUSANDS",
    "FRONTLINE_SHARE_BY_DEPARTMENT",
    "POPULATION_2011_LAKH",
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
        "Data Entry Operator", "Tax Assistant",
    ),
    "Unknown": ("Consultant", "Young Professional", "Officer", "Staff", ""),
}  # fmt: skip

#: Designations of frontline workers (teachers, police, field-level functionaries), the
#: people SĀDHANA Saptah 2026 counted apart; every one matches ingest's frontline rule
#: (``core.vocabulary.FRONTLINE_DESIGNATION_PATTERN``).
FRONTLINE_DESIGNATIONS: dict[str, tuple[str, ...]] = {
    "A": ("Medical Officer", "Block Medical Officer"),
    "B": (
        "Sub-Inspector of Police", "Headmaster", "Lecturer", "Block Development Officer",
        "Assistant Sub-Inspector",
    ),
    "C": (
        "Teacher", "Assistant Teacher", "Constable", "Head Constable", "Postman",
        "Gramin Dak Sevak", "Anganwadi Worker", "ANM", "Staff Nurse", "Patwari",
        "Gram Panchayat Secretary", "Track Maintainer",
    ),
    "Unknown": ("Guest Teacher", "ASHA Worker", "Field Worker"),
}  # fmt: skip

COURSE_TOPICS = (
    "Public Procurement", "Cyber Security Awareness", "Office Procedure", "RTI Act 2005",
    "Financial Management", "Ethics in Governance", "Stress Management", "Data Analytics",
    "Project Management", "Mission Karmayogi", "Digital Governance", "Gender Sensitisation",
    "Disaster Management", "Noting and Drafting", "Leadership for Public Servants",
    "Citizen-Centric Service Delivery", "e-Office",
    "Government e-Marketplace", "Yoga for Wellness", "Prevention of Sexual Harassment",
    "Emotional Intelligence", "Communication Skills", "Public Policy Analysis",
    "Grievance Redressal", "Climate Change and Sustainability", "Service Rules",
    "Vigilance Administration", "Negotiation Skills", "Time Management",
)  # fmt: skip
#: Topics of AI-related courses (SĀDHANA Saptah 2026 counted learners of these apart); only
#: courses mapped to the AI competency theme get them.
AI_COURSE_TOPICS = (
    "Artificial Intelligence Basics", "Generative AI for Public Servants", "AI in Governance",
    "Machine Learning for Decision Makers", "Responsible Artificial Intelligence",
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
    ("functional", "Emerging Technologies", "Competency", "Artificial Intelligence"),
)  # fmt: skip

#: Index of the AI theme in :data:`COMPETENCY_THEMES` (AI-related courses map to it first).
AI_THEME = len(COMPETENCY_THEMES) - 1

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

# ----------------------------------------------------------------------- sizes of units
# Every size below is an assumption built from public facts, restated with its source in
# docs/synthetic-data.md ("Sizes of units").

#: Population of each State/UT, Census of India 2011, in lakh (rounded; Andhra Pradesh and
#: Telangana as split in 2014, Jammu and Kashmir without Ladakh).
POPULATION_2011_LAKH: dict[str, float] = {
    "Andhra Pradesh": 494, "Arunachal Pradesh": 14, "Assam": 312, "Bihar": 1041,
    "Chhattisgarh": 256, "Goa": 15, "Gujarat": 604, "Haryana": 254, "Himachal Pradesh": 69,
    "Jharkhand": 330, "Karnataka": 611, "Kerala": 334, "Madhya Pradesh": 726,
    "Maharashtra": 1124, "Manipur": 29, "Meghalaya": 30, "Mizoram": 11, "Nagaland": 20,
    "Odisha": 420, "Punjab": 277, "Rajasthan": 685, "Sikkim": 6.1, "Tamil Nadu": 721,
    "Telangana": 350, "Tripura": 37, "Uttar Pradesh": 1998, "Uttarakhand": 101,
    "West Bengal": 913, "Andaman and Nicobar Islands": 3.8, "Chandigarh": 10.5,
    "Dadra and Nagar Haveli and Daman and Diu": 5.9, "Delhi": 168, "Jammu and Kashmir": 122,
    "Ladakh": 2.7, "Lakshadweep": 0.64, "Puducherry": 12.5,
}  # fmt: skip

#: Shares of the state users of the five States the PIB (21 May 2025) names as the top five by
#: registrations (an unordered list; the order and the shares are assumptions). Every other
#: State/UT shares the remaining 47 % in proportion to its population.
TOP_STATE_SHARES: dict[str, float] = {
    "Uttar Pradesh": 0.14, "Bihar": 0.12, "Madhya Pradesh": 0.10, "Rajasthan": 0.09,
    "Andhra Pradesh": 0.08,
}  # fmt: skip


def _state_shares() -> dict[str, float]:
    rest = {name: pop for name, pop in POPULATION_2011_LAKH.items() if name not in TOP_STATE_SHARES}
    left = 1.0 - sum(TOP_STATE_SHARES.values())
    total = sum(rest.values())
    return {
        name: TOP_STATE_SHARES.get(name, left * POPULATION_2011_LAKH[name] / total)
        for name in STATES_AND_UTS
    }


#: Share of all state users registered from each State/UT.
STATE_REGISTRATION_SHARE: dict[str, float] = _state_shares()

#: Relative size of a state department's workforce on the platform: school teachers and the
#: police are the largest state cadres everywhere. Every State has the first two; the others
#: are drawn.
STATE_DEPARTMENT_SIZE: dict[str, float] = {
    "Department of School Education": 0.35, "Department of Home (Police)": 0.20,
    "Department of Health and Family Welfare": 0.12,
    "Department of Rural Development and Panchayati Raj": 0.08, "Department of Revenue": 0.07,
    "Department of Women and Child Development": 0.05, "Department of Agriculture": 0.04,
    "Department of Finance": 0.03, "Department of Personnel and Administrative Reforms": 0.03,
    "Department of Urban Development": 0.03,
}  # fmt: skip

#: Approximate civilian staff of the largest central employers, in thousands (rounded orders
#: of magnitude from the Union Budget's statement of the estimated strength of central
#: government establishments): railways, home affairs with the central armed police forces,
#: posts, defence civilians, revenue. Every other central unit: :data:`CENTRAL_DEFAULT_STAFF`.
CENTRAL_STAFF_THOUSANDS: dict[str, float] = {
    "Ministry of Railways": 1200, "Department of Internal Security": 900,
    "Department of Posts": 400, "Department of Defence": 300, "Department of Revenue": 110,
    "Department of Home": 40, "Department of Telecommunications": 30,
}  # fmt: skip
CENTRAL_DEFAULT_STAFF = 8.0

#: Named offices under the largest central units (public names of real forces and zones).
CENTRAL_NAMED_OFFICES: dict[str, tuple[str, ...]] = {
    "Department of Internal Security": (
        "Central Reserve Police Force", "Border Security Force",
        "Central Industrial Security Force", "Indo-Tibetan Border Police", "Sashastra Seema Bal",
    ),
    "Ministry of Railways": (
        "Northern Railway", "Central Railway", "Eastern Railway", "Western Railway",
        "Southern Railway",
    ),
}  # fmt: skip

#: Probability that a user of a department is a frontline worker (teachers, police, field
#: functionaries: assumptions); anything not listed: :data:`FRONTLINE_DEFAULT_SHARE`.
FRONTLINE_SHARE_BY_DEPARTMENT: dict[str, float] = {
    "Department of School Education": 0.85, "Department of Home (Police)": 0.85,
    "Department of Health and Family Welfare": 0.55,
    "Department of Rural Development and Panchayati Raj": 0.50, "Department of Revenue": 0.40,
    "Department of Women and Child Development": 0.60, "Department of Agriculture": 0.35,
    "Department of Posts": 0.75, "Ministry of Railways": 0.50,
    "Department of Internal Security": 0.80, "Department of School Education and Literacy": 0.30,
}  # fmt: skip
FRONTLINE_DEFAULT_SHARE = 0.05
