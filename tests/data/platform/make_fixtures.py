"""Build fixture files in the exact shapes the iGOT data-products jobs write.

Run:  .venv/bin/python tests/data/platform/make_fixtures.py   (needs pyspark + duckdb + Java 17)

The writers below reproduce the platform's own write paths:
  * spark_partitioned_csv  -> Spark `.partitionBy("mdoid").option("header", True).csv(...)` then the
    part file is renamed (Python: dfexportutil.write_csv_per_mdo_id small-group path;
    Scala: DashboardUtil.generateReport(df, path, "mdoid", name)).  `mdoid` is NOT in the body.
  * duckdb_partitioned_csv -> Spark `.partitionBy("mdoid").parquet(tmp)` then DuckDB
    `COPY (SELECT * FROM parquet_scan('<tmp>/mdoid=X/*.parquet')) TO ... (FORMAT CSV, HEADER, DELIMITER ',')`
    (dfexportutil.write_csv_per_mdo_id_duckdb / convert_partitioned_parquets_to_csv).  With current DuckDB
    the hive partition is auto-detected, so `mdoid` comes back as the LAST column.
  * spark_single_csv       -> `coalesce(1).write.option("header","true").csv(dir)` + copy part file.
  * spark_parquet_folder   -> `coalesce(1).write.mode("overwrite").option("compression","snappy").parquet(dir)`
    (folder with part-00000-<uuid>-c000.snappy.parquet + _SUCCESS).
All people, e-mails, phones and ids are invented.  Spark here is 4.0 (the Python line runs Spark >=3.3;
the Scala line ran Spark 2.4.4, whose CSV writer has the same quoting/escaping/null rules for these columns).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
from pyspark.sql import SparkSession

OUT = Path(__file__).resolve().parent
TMP = Path(__file__).resolve().parent / ".tmp"
ORG = "0100000000000000000001"  # fake org id (real ones look like 20-digit numeric strings)
DAY = "2025-10-09"

spark = (
    SparkSession.builder.master("local[1]")
    .appName("fixtures")
    .config("spark.ui.enabled", "false")
    .config("spark.sql.session.timeZone", "Asia/Kolkata")
    .config("spark.sql.shuffle.partitions", "1")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")


def df(rows, ddl):
    return spark.createDataFrame(rows, ddl)


def _reset(p: Path):
    if p.exists():
        shutil.rmtree(p)
    p.mkdir(parents=True)


def spark_partitioned_csv(frame, variant, tree_dir, filename, scala_rename=False):
    tmp = TMP / f"{variant}_{filename}"
    if tmp.exists():
        shutil.rmtree(tmp)
    frame.repartition("mdoid").write.mode("overwrite").partitionBy("mdoid").option(
        "header", True
    ).csv(str(tmp))
    for part_dir in sorted(tmp.glob("mdoid=*")):
        dest = OUT / variant / "tree" / tree_dir / part_dir.name
        dest.mkdir(parents=True, exist_ok=True)
        parts = sorted(part_dir.glob("part-*.csv"))
        for i, p in enumerate(parts):
            # Scala StorageUtil.renameCSV: UserReport.csv, UserReport1.csv, ...; Python copies/merges to one file
            name = f"{filename}{'' if i == 0 else i}.csv" if scala_rename else f"{filename}.csv"
            shutil.copy(p, dest / name)
        shutil.copy(parts[0], OUT / variant / f"{filename}.csv")


def duckdb_partitioned_csv(frame, variant, tree_dir, filename):
    tmp = TMP / f"{variant}_{filename}_pq"
    if tmp.exists():
        shutil.rmtree(tmp)
    frame.repartition("mdoid").write.mode("overwrite").partitionBy("mdoid").option(
        "compression", "snappy"
    ).parquet(str(tmp))
    for part_dir in sorted(tmp.glob("mdoid=*")):
        dest = OUT / variant / "tree" / tree_dir / part_dir.name
        dest.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect()
        con.execute(
            f"CREATE TABLE partition_df AS SELECT * FROM parquet_scan('{part_dir}/*.parquet');"
        )
        con.execute(
            f"COPY (SELECT * FROM partition_df) TO '{dest / (filename + '.csv')}' (FORMAT CSV, HEADER, DELIMITER ',');"
        )
        con.close()
        shutil.copy(dest / (filename + ".csv"), OUT / variant / f"{filename}.csv")


def duckdb_single_csv(frame, variant, rel_path):
    tmp = TMP / f"{variant}_single_pq"
    if tmp.exists():
        shutil.rmtree(tmp)
    frame.coalesce(1).write.mode("overwrite").option("compression", "snappy").parquet(str(tmp))
    dest = OUT / variant / "tree" / rel_path
    dest.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"CREATE TABLE source_df AS SELECT * FROM parquet_scan('{tmp}/**/*.parquet');")
    con.execute(f"COPY (SELECT * FROM source_df) TO '{dest}' (FORMAT CSV, HEADER, DELIMITER ',');")
    con.close()
    shutil.copy(dest, OUT / variant / dest.name)


def spark_single_csv(frame, variant, rel_dir, name, keep_part_name=False):
    tmp = TMP / f"{variant}_{name}_csv"
    if tmp.exists():
        shutil.rmtree(tmp)
    frame.coalesce(1).write.mode("overwrite").option("header", "true").csv(str(tmp))
    part = sorted(tmp.glob("part-*.csv"))[0]
    dest_dir = OUT / variant / "tree" / rel_dir
    dest_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(part, dest_dir / (part.name if keep_part_name else f"{name}.csv"))
    shutil.copy(part, OUT / variant / f"{name}.csv")


def spark_parquet_folder(frame, variant, rel_dir):
    dest = OUT / variant / rel_dir
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    frame.coalesce(1).write.mode("overwrite").option("compression", "snappy").parquet(str(dest))
    for crc in dest.glob(
        ".*.crc"
    ):  # Hadoop checksum side files; the platform's local FS also writes them
        crc.unlink()


# --------------------------------------------------------------------------------------------
# shared invented people
# --------------------------------------------------------------------------------------------
P = [  # name, designation, email, phone, group, tag, gender, category, cadre, emp
    (
        "Test Learner One",
        "Section Officer",
        "learner.one@example.invalid",
        "9000000001",
        "Group B",
        "Finance, HQ",
        "Male",
        "General",
        None,
        "EMP-0001",
    ),
    (
        "Test Learner Two",
        "Assistant",
        "learner.two@example.invalid",
        "9000000002",
        "Group C",
        "",
        "Female",
        "OBC",
        "Indian Fake Service",
        "EMP-0002",
    ),
    (
        "Test Learner, Three",
        "Deputy Secretary",
        "learner.three@example.invalid",
        "9000000003",
        "Group A",
        "HQ",
        "Female",
        "SC",
        None,
        None,
    ),
    (
        'Test "Quote" Four',
        "Consultant",
        "learner.four@example.invalid",
        None,
        None,
        "",
        None,
        None,
        None,
        None,
    ),
    (
        "Test Learner Five",
        "Under Secretary",
        "learner.five@example.invalid",
        "9000000005",
        "Gazetted Group A",
        "",
        "Male",
        "ST",
        "Indian Fake Service",
        "EMP-0005",
    ),
    (
        "Test Learner Six",
        "Multi Tasking Staff",
        "learner.six@example.invalid",
        "9000000006",
        "Group C",
        "",
        "Others",
        "General",
        None,
        "EMP-0006",
    ),
]
MDO, MIN, DEPT = "Department of Fake Affairs", "Ministry of Examples", "Department of Fake Affairs"
UIDS = [f"00000000-0000-4000-8000-00000000000{i}" for i in range(1, 7)]
PY_RLGO = "2025-10-09 14:05:33 PM"  # date_format(current_timestamp(), "yyyy-MM-dd HH:mm:ss a")
PY_RLGO_AM = "2025-10-09 06:00:00 AM"
S18_RLGO = "2024-10-24 19:30:12 PM"  # Scala 4.8.16+ same pattern
S15_RLGO = "13/08/2024 12:24:07 PM"  # Scala <= 4.8.15: "dd/MM/yyyy HH:mm:ss a"


def cad(p):
    # (Cadre, Civil Service Type, Civil Services, Cadre Batch, Is From Organised Service of Govt)
    return (
        p[8],
        "All India Services" if p[8] else None,
        "Indian Fake Service" if p[8] else None,
        "2012" if p[8] else None,
        "Yes" if p[8] else "No",
    )


# =============================== PYTHON (cb-core-data, cbrelease-4.8.28) ===============================
def python_reports():
    v = "python"
    # ---- UserReport.csv (userReport.py; write_csv_per_mdo_id small-org Spark path)
    ddl = (
        "Full_Name string, Designation string, Email string, Phone_Number string, MDO_Name string, `Group` string,"
        " Tag string, Ministry string, Department string, Organization string, User_Registration_Date string,"
        " Cadre string, `Civil Service Type` string, `Civil Services` string, `Cadre Batch` string,"
        " `Is From Organised Service of Govt` string, Roles string, Gender string, Category string,"
        " External_System string, External_System_Id string, Employee_Id string, MDO_Created_On string,"
        " Profile_Status string, weekly_claps_day_before_yesterday int, Karma_Points long, Event_Enrolments long,"
        " Event_Completions long, Event_Learning_Hours double, Course_Enrolments long, Course_Completions long,"
        " Course_Learning_Hours double, Total_Enrolments long, Total_Completions long, Total_Learning_Hours double,"
        " Report_Last_Generated_On string, mdoid string"
    )
    reg = ["2023-01-15", "2023-06-02", "2024-10-19", "2024-10-21", "2022-03-30", "2025-01-07"]
    ext = [
        (None, None),
        ("HRMS-FAKE", "HR-1002"),
        (None, None),
        (None, None),
        (None, None),
        (None, None),
    ]
    stats = [  # claps, karma, ev_enr, ev_comp, ev_h, c_enr, c_comp, c_h
        (3, 45, 2, 1, 1.0, 5, 3, 7.5),
        (0, 10, 0, 0, 0.0, 2, 1, 1.25),
        (1, 0, 1, 0, 0.0, 1, 0, 0.0),
        (0, 0, 0, 0, 0.0, 0, 0, 0.0),
        (4, 120, 3, 3, 3.5, 9, 8, 22.75),
        (0, 5, 0, 0, 0.0, 1, 1, 0.5),
    ]
    status = ["VERIFIED", "NOT-VERIFIED", "NOT-VERIFIED", None, "VERIFIED", "NOT-MY-USER"]
    roles = ["PUBLIC", "PUBLIC, MDO_ADMIN", "PUBLIC", "PUBLIC", "PUBLIC, MDO_LEADER", "PUBLIC"]
    rows = []
    for i, p in enumerate(P):
        s = stats[i]
        rows.append(
            (
                p[0],
                p[1],
                p[2],
                p[3],
                MDO,
                p[4],
                p[5],
                MIN,
                DEPT,
                "",
                reg[i],
                *cad(p),
                roles[i],
                p[6],
                p[7],
                ext[i][0],
                ext[i][1],
                p[9],
                "2021-04-01",
                status[i],
                s[0],
                s[1],
                s[2],
                s[3],
                s[4],
                s[5],
                s[6],
                s[7],
                s[2] + s[5],
                s[3] + s[6],
                s[4] + s[7],
                PY_RLGO,
                ORG,
            )
        )
    ur = df(rows, ddl)
    spark_partitioned_csv(ur, v, f"standalone-reports/user-report/{DAY}", "UserReport")
    # large orgs (>100000 rows) go through DuckDB instead -> mdoid appended as last column
    duckdb_partitioned_csv(
        ur, v + "_largeorg", f"standalone-reports/user-report/{DAY}", "UserReport"
    )

    # ---- UserCustomReport.csv (userReport.py step 11; DuckDB single CSV, mdoid kept in place, custom fields appended)
    fixed = [
        "userID",
        "Full_Name",
        "Designation",
        "Email",
        "Phone_Number",
        "MDO_Name",
        "Group",
        "Tag",
        "Ministry",
        "Department",
        "Organization",
        "User_Registration_Date",
        "Roles",
        "Gender",
        "Category",
        "External_System",
        "External_System_Id",
        "Employee_Id",
        "MDO_Created_On",
        "Profile_Status",
        "weekly_claps_day_before_yesterday",
        "Karma_Points",
        "Event_Enrolments",
        "Event_Completions",
        "Event_Learning_Hours",
        "Course_Enrolments",
        "Course_Completions",
        "Course_Learning_Hours",
        "Total_Enrolments",
        "Total_Completions",
        "Total_Learning_Hours",
        "Report_Last_Generated_On",
        "mdoid",
    ]
    cr = ur.withColumn("userID", ur["Email"])  # placeholder, replaced below
    id_map = {p[2]: UIDS[i] for i, p in enumerate(P)}
    from pyspark.sql import functions as F

    mapping = F.create_map(*[x for kv in id_map.items() for x in (F.lit(kv[0]), F.lit(kv[1]))])
    cr = ur.withColumn("userID", mapping[F.col("Email")])
    cr = (
        cr.select(*[F.col(f"`{c}`") for c in fixed])
        .withColumn(
            "Office Location",
            F.when(F.col("userID").endswith("1"), "Block A").when(
                F.col("userID").endswith("5"), "Block C"
            ),
        )
        .withColumn("Custom_Designation", F.when(F.col("userID").endswith("1"), "Cash Officer"))
        .filter(
            F.col("userID").endswith("1")
            | F.col("userID").endswith("5")
            | F.col("userID").endswith("2")
        )
    )
    duckdb_single_csv(
        cr, v, f"standalone-reports/user-custom-report/{DAY}/mdoid={ORG}/UserCustomReport.csv"
    )

    # ---- ConsumptionReport.csv (userEnrolment.py; write_csv_per_mdo_id_duckdb) ----
    ddl = (
        "Full_Name string, Designation string, Email string, Phone_Number string, MDO_Name string, `Group` string,"
        " Tag string, Ministry string, Department string, Organization string, Cadre string,"
        " `Civil Service Type` string, `Civil Services` string, `Cadre Batch` string,"
        " `Is From Organised Service of Govt` string, Content_Provider string, Content_Name string,"
        " Content_Type string, Content_Duration string, Batch_Id string, Batch_Name string, Batch_Start_Date date,"
        " Batch_End_Date date, Enrolled_On string, Status string, Content_Progress_Percentage double,"
        " Last_Published_On date, Content_Retired_On date, Completed_On string, Certificate_Generated string,"
        " User_Rating string, Gender string, Category string, External_System string, External_System_Id string,"
        " mdoid string, Certificate_ID string, Report_Last_Generated_On string, Live_CBP_Plan_Mandate boolean"
    )
    d = dt.date
    enr = [  # person, provider, course, type, dur, batch, bname, bstart, bend, enrolled, status, pct, pub, retired, completed, cert, rating, certid, acbp
        (
            0,
            "Karmayogi Bharat",
            "Fake Course on Noting, Drafting",
            "Course",
            "01:30:00",
            "01390000000000000001",
            "Batch 1",
            d(2023, 1, 1),
            d(2030, 12, 31),
            "2024-10-19 09:12:44",
            "completed",
            100.0,
            d(2024, 5, 2),
            None,
            "2024-10-20 18:40:02",
            "Yes",
            "4.0",
            "cert-0000-0001",
            True,
        ),
        (
            0,
            "Institute of Examples",
            "Fake Program on Ethics",
            "Program",
            "10:00:00",
            "01390000000000000002",
            "Batch 1",
            d(2024, 1, 1),
            d(2026, 1, 1),
            "2024-10-21 11:00:00",
            "in-progress",
            33.33,
            d(2024, 9, 9),
            None,
            None,
            "No",
            None,
            "",
            False,
        ),
        (
            1,
            "Karmayogi Bharat",
            "Fake Course on Noting, Drafting",
            "Course",
            "01:30:00",
            "01390000000000000001",
            "Batch 1",
            d(2023, 1, 1),
            d(2030, 12, 31),
            "2025-02-03 16:20:09",
            "not-started",
            0.0,
            d(2024, 5, 2),
            None,
            None,
            "No",
            None,
            "",
            True,
        ),
        (
            2,
            "Karmayogi Bharat",
            "Retired Fake Course",
            "Course",
            "00:45:00",
            "01390000000000000003",
            "Batch 1",
            None,
            None,
            "2023-07-07 07:07:07",
            "completed",
            100.0,
            d(2023, 1, 1),
            d(2024, 12, 31),
            "2023-07-08 10:00:00",
            "Yes",
            "5.0",
            "cert-0000-0003",
            False,
        ),
        (
            4,
            "Institute of Examples",
            "Fake Blended Program",
            "Blended Program",
            "20:00:00",
            "01390000000000000004",
            "Cohort Oct-2024",
            d(2024, 10, 19),
            d(2024, 10, 27),
            "2024-10-18 12:00:00",
            "completed",
            100.0,
            d(2024, 8, 1),
            None,
            "2024-10-27 17:30:00",
            "Yes",
            None,
            "cert-0000-0004",
            True,
        ),
    ]
    rows = []
    for (
        pi,
        prov,
        cname,
        ctype,
        dur,
        bid,
        bname,
        bs,
        be,
        eo,
        st,
        pct,
        pub,
        ret,
        co,
        cg,
        rt,
        cid,
        acbp,
    ) in enr:
        p = P[pi]
        rows.append(
            (
                p[0],
                p[1],
                p[2],
                p[3],
                MDO,
                p[4],
                p[5],
                MIN,
                DEPT,
                "",
                *cad(p),
                prov,
                cname,
                ctype,
                dur,
                bid,
                bname,
                bs,
                be,
                eo,
                st,
                pct,
                pub,
                ret,
                co,
                cg,
                rt,
                p[6],
                p[7],
                None,
                None,
                ORG,
                cid,
                PY_RLGO,
                acbp,
            )
        )
    # marketplace (external) rows: Batch_Id/Batch_Name "Not Available", batch dates null, User_Rating "Not Available",
    # Category "External Content", Content_Retired_On null, Live_CBP_Plan_Mandate false
    p = P[4]
    rows.append(
        (
            p[0],
            p[1],
            p[2],
            p[3],
            MDO,
            p[4],
            p[5],
            MIN,
            DEPT,
            "",
            *cad(p),
            "Fake MOOC Partner",
            "External Fake Course",
            "External Content",
            "02:00:00",
            "Not Available",
            "Not Available",
            None,
            None,
            "2024-10-22 08:00:00",
            "completed",
            100.0,
            d(2024, 1, 10),
            None,
            "2024-10-23 09:00:00",
            "Yes",
            "Not Available",
            p[6],
            "External Content",
            None,
            None,
            ORG,
            "ext-cert-0001",
            PY_RLGO,
            False,
        )
    )
    cons = df(rows, ddl)
    duckdb_partitioned_csv(
        cons, v, f"standalone-reports/user-enrollment-report/{DAY}", "ConsumptionReport"
    )

    # ---- CBPEnrollmentReport.csv (acbpReport.py; write_csv_combined -> per-MDO DuckDB CSV) ----
    ddl = (
        "Name string, Email string, Phone string, MDO_Name string, `Group` string, Designation string,"
        " Ministry string, Department string, Organization string, Cadre string, `Civil Service Type` string,"
        " `Civil Services` string, `Cadre Batch` string, `Is From Organised Service of Govt` string,"
        " `Name of CBP Allocated Course` string, isapar boolean, `Allocated On` string, `Current Progress` string,"
        " `Due Date of Completion` string, `Actual Date of Completion` string, mdoid string,"
        " Report_Last_Generated_On string"
    )
    cbp = [
        (
            0,
            "Fake Course on Noting, Drafting",
            False,
            "2024-09-01",
            "Completed",
            "2025-03-31",
            "2024-10-20",
        ),
        (0, "Fake Program on Ethics", True, "2024-09-01", "In Progress", "2025-03-31", ""),
        (
            1,
            "Fake Course on Noting, Drafting",
            False,
            "2025-01-15",
            "Not Started",
            "2025-06-30",
            "",
        ),
        (
            3,
            "Fake Course on Noting, Drafting",
            None,
            "2025-01-15",
            "Not Enrolled",
            "2025-06-30",
            "",
        ),
        (4, "Fake Blended Program", True, "2024-09-01", "Completed", "2024-12-31", "2024-10-27"),
    ]
    rows = []
    for pi, course, apar, alloc, prog, due, done in cbp:
        p = P[pi]
        c = [x if x is not None else "" for x in cad(p)]  # .fillna("") on string columns
        rows.append(
            (
                p[0],
                p[2],
                p[3] or "",
                MDO,
                p[4] or "",
                p[1],
                MIN,
                DEPT,
                "",
                *c,
                course,
                apar,
                alloc,
                prog,
                due,
                done,
                ORG,
                PY_RLGO_AM,
            )
        )
    duckdb_partitioned_csv(
        df(rows, ddl),
        v,
        f"standalone-reports/cbp-report-mdo-enrolment/{DAY}",
        "CBPEnrollmentReport",
    )

    # ---- ContentCompetencyMapping.csv (kcmReport.py; Spark coalesce(1) CSV, competency_theme_type literal "Null")
    kcm_ddl = (
        "content_id string, content_name string, competency_area string, competency_area_description string,"
        " competency_theme string, competency_theme_description string, competency_theme_type string,"
        " competency_sub_theme string, competency_sub_theme_description string"
    )
    kcm = [
        (
            "do_1100000000000000001",
            "Fake Course on Noting, Drafting",
            "Functional",
            "Functional competencies (invented text)",
            "Noting and Drafting",
            "Writing notes (invented)",
            "Null",
            "Drafting letters",
            "Draft official letters (invented)",
        ),
        (
            "do_1100000000000000001",
            "Fake Course on Noting, Drafting",
            "Behavioural",
            "Behavioural competencies (invented text)",
            "Communication",
            "Communicating clearly (invented)",
            "Null",
            "Written communication",
            "Write clearly (invented)",
        ),
        (
            "do_1100000000000000002",
            "Fake Program on Ethics",
            "Behavioural",
            "Behavioural competencies (invented text)",
            "Integrity",
            "Acting with integrity (invented)",
            "Null",
            "Ethical conduct",
            "Conduct rules (invented)",
        ),
        (
            "do_1100000000000000003",
            "Retired Fake Course",
            "Domain",
            "Domain competencies (invented text)",
            "Public finance",
            "Budgeting (invented)",
            "Null",
            "Budget preparation",
            "Prepare budgets (invented)",
        ),
        (
            "do_1100000000000000004",
            "Fake Blended Program",
            "Functional",
            "Functional competencies (invented text)",
            "Project management",
            "Managing projects (invented)",
            "Null",
            "Planning",
            "Plan work (invented)",
        ),
    ]
    spark_single_csv(
        df(kcm, kcm_ddl),
        v,
        f"standalone-reports/kcm-report/{DAY}/ContentCompetencyMapping",
        "ContentCompetencyMapping",
    )
    return kcm, kcm_ddl


def python_warehouse():
    v = "python/warehouse"

    ud_ddl = (
        "user_id string, mdo_id string, status int, no_of_karma_points long, full_name string, designation string,"
        " email string, phone_number string, pincode string, groups string, tag string, profile_status string,"
        " user_registration_date string, roles string, gender string, category string,"
        " marked_as_not_my_user boolean, is_verified_karmayogi boolean, created_by_id string,"
        " external_system string, external_system_id string, weekly_claps_day_before_yesterday int,"
        " total_event_learning_hours double, total_content_learning_hours double, total_learning_hours double,"
        " employee_id string, cadre string, civil_service_type string, civil_services string, cadre_batch string,"
        " is_from_organised_service_of_govt string, data_last_generated_on string"
    )
    reg = [
        "2023-01-15 10:01:02",
        "2023-06-02 12:00:00",
        "2024-10-19 08:30:00",
        "2024-10-21 21:15:45",
        "2022-03-30 09:00:00",
        "2025-01-07 17:45:00",
    ]
    status = [1, 1, 1, 1, 1, 0]
    prof = ["VERIFIED", "NOT-VERIFIED", "NOT-VERIFIED", None, "VERIFIED", "NOT-MY-USER"]
    hrs = [(1.0, 7.5), (0.0, 1.25), (0.0, 0.0), (0.0, 0.0), (3.5, 22.75), (0.0, 0.5)]
    karma = [45, 10, 0, 0, 120, 5]
    rows = []
    for i, p in enumerate(P):
        c = cad(p)
        rows.append(
            (
                UIDS[i],
                ORG,
                status[i],
                karma[i],
                p[0],
                p[1],
                p[2],
                p[3],
                "110001",
                p[4],
                p[5],
                prof[i],
                reg[i],
                "PUBLIC",
                p[6],
                p[7],
                prof[i] == "NOT-MY-USER",
                prof[i] == "VERIFIED",
                UIDS[4],
                None,
                None,
                [3, 0, 1, 0, 4, 0][i],
                hrs[i][0],
                hrs[i][1],
                hrs[i][0] + hrs[i][1],
                p[9],
                c[0],
                c[1],
                c[2],
                c[3],
                c[4],
                PY_RLGO,
            )
        )
    ud = df(rows, ud_ddl)
    spark_parquet_folder(ud, v, "user_detail")
    # zipUpload.py also converts every warehouse folder to CSV with Spark defaults (fullReport/<folder>.csv, zipped)
    spark_single_csv(ud, "python", "warehouse/fullReport", "user_detail_fullReport")

    ue_ddl = (
        "user_id string, batch_id string, content_id string, enrolled_on string, content_progress_percentage double,"
        " resource_count_consumed int, user_consumption_status string, first_completed_on string,"
        " first_certificate_generated_on string, last_completed_on string, last_certificate_generated_on string,"
        " content_last_accessed_on string, certificate_generated string, number_of_certificate int,"
        " user_rating string, certificate_id string, live_cbp_plan_mandate boolean, data_last_generated_on string,"
        " karma_points double"
    )
    ue = [
        (
            UIDS[0],
            "01390000000000000001",
            "do_1100000000000000001",
            "2024-10-19 09:12:44",
            100.0,
            6,
            "completed",
            "2024-10-20 18:40:05",
            "2024-10-20 18:40:05",
            "2024-10-20 18:40:02",
            "2024-10-20 18:40:05",
            "2024-10-20 18:39:50",
            "Yes",
            1,
            "4.0",
            "cert-0000-0001",
            True,
            PY_RLGO,
            10.0,
        ),
        (
            UIDS[0],
            "01390000000000000002",
            "do_1100000000000000002",
            "2024-10-21 11:00:00",
            33.33,
            2,
            "in-progress",
            None,
            None,
            None,
            None,
            "2024-10-22 10:00:00",
            "No",
            0,
            None,
            "",
            False,
            PY_RLGO,
            0.0,
        ),
        (
            UIDS[1],
            "01390000000000000001",
            "do_1100000000000000001",
            "2025-02-03 16:20:09",
            0.0,
            0,
            "not-started",
            None,
            None,
            None,
            None,
            None,
            "No",
            0,
            None,
            "",
            True,
            PY_RLGO,
            0.0,
        ),
        (
            UIDS[2],
            "01390000000000000003",
            "do_1100000000000000003",
            "2023-07-07 07:07:07",
            100.0,
            3,
            "completed",
            "2023-07-08 10:00:03",
            "2023-07-08 10:00:03",
            "2023-07-08 10:00:00",
            "2023-07-08 10:00:03",
            "2023-07-08 09:59:00",
            "Yes",
            1,
            "5.0",
            "cert-0000-0003",
            False,
            PY_RLGO,
            5.0,
        ),
        (
            UIDS[4],
            "01390000000000000004",
            "do_1100000000000000004",
            "2024-10-18 12:00:00",
            100.0,
            12,
            "completed",
            "2024-10-27 17:30:10",
            "2024-10-27 17:30:10",
            "2024-10-27 17:30:00",
            "2024-10-27 17:30:10",
            "2024-10-27 17:29:00",
            "Yes",
            1,
            None,
            "cert-0000-0004",
            True,
            PY_RLGO,
            15.0,
        ),
        # marketplace row (union): batch "Not Available", status text, content_last_accessed_on / user_rating "Not Available", karma 0
        (
            UIDS[4],
            "Not Available",
            "ext_0000000000000001",
            "2024-10-22 08:00:00",
            100.0,
            0,
            "completed",
            "2024-10-23 09:00:01",
            "2024-10-23 09:00:01",
            "2024-10-23 09:00:00",
            "2024-10-23 09:00:01",
            "Not Available",
            "Yes",
            1,
            "Not Available",
            "ext-cert-0001",
            False,
            PY_RLGO,
            0.0,
        ),
    ]
    spark_parquet_folder(df(ue, ue_ddl), v, "user_enrolments")

    ct_ddl = (
        "content_id string, content_provider_id string, content_provider_name string, content_name string,"
        " content_type string, batch_id string, batch_name string, batch_start_date date, batch_end_date date,"
        " content_duration string, content_rating string, last_published_on string, content_retired_on date,"
        " content_status string, resource_count string, total_certificates_issued long, content_substatus string,"
        " language string, content_sub_type string, scorm_flag string, data_last_generated_on string"
    )
    d = dt.date
    ct = [
        (
            "do_1100000000000000001",
            "0100000000000000000900",
            "Karmayogi Bharat",
            "Fake Course on Noting, Drafting",
            "Course",
            None,
            None,
            None,
            None,
            "01:30:00",
            "4.25",
            "2024-05-02",
            None,
            "Live",
            "6",
            1234,
            None,
            "english",
            "Course",
            "0",
            PY_RLGO,
        ),
        (
            "do_1100000000000000002",
            "0100000000000000000901",
            "Institute of Examples",
            "Fake Program on Ethics",
            "Program",
            None,
            None,
            None,
            None,
            "10:00:00",
            None,
            "2024-09-09",
            None,
            "Live",
            "6",
            10,
            None,
            "english",
            "Program",
            "0",
            PY_RLGO,
        ),
        (
            "do_1100000000000000003",
            "0100000000000000000900",
            "Karmayogi Bharat",
            "Retired Fake Course",
            "Course",
            None,
            None,
            None,
            None,
            "00:45:00",
            "4.8",
            "2023-01-01",
            d(2024, 12, 31),
            "Retired",
            "3",
            88,
            None,
            "hindi",
            "Course",
            "1",
            PY_RLGO,
        ),
        # Blended Programs get one row per batch -> content_id repeats
        (
            "do_1100000000000000004",
            "0100000000000000000901",
            "Institute of Examples",
            "Fake Blended Program",
            "Blended Program",
            "01390000000000000004",
            "Cohort Oct-2024",
            d(2024, 10, 19),
            d(2024, 10, 27),
            "20:00:00",
            None,
            "2024-08-01",
            None,
            "Live",
            "12",
            40,
            "sentToPublish",
            "english",
            "Blended Program",
            "0",
            PY_RLGO,
        ),
        (
            "do_1100000000000000004",
            "0100000000000000000901",
            "Institute of Examples",
            "Fake Blended Program",
            "Blended Program",
            "01390000000000000005",
            "Cohort Jan-2025",
            d(2025, 1, 6),
            d(2025, 1, 10),
            "20:00:00",
            None,
            "2024-08-01",
            None,
            "Live",
            "12",
            40,
            "sentToPublish",
            "english",
            "Blended Program",
            "0",
            PY_RLGO,
        ),
        (
            "ext_0000000000000001",
            "0100000000000000000950",
            "Fake MOOC Partner",
            "External Fake Course",
            "External Content",
            "Not Available",
            "Not Available",
            None,
            None,
            "02:00:00",
            "Not Available",
            "2024-01-10",
            None,
            "LIVE",
            "Not Available",
            1,
            "Not Available",
            "Not Available",
            "External Content",
            "0",
            PY_RLGO,
        ),
    ]
    spark_parquet_folder(df(ct, ct_ddl), v, "content")

    oh_ddl = (
        "mdo_id string, mdo_name string, ministry string, ministry_id string, department string,"
        " department_id string, is_cca boolean, mdo_created_on string, data_last_generated_on timestamp"
    )
    now = dt.datetime(2025, 10, 9, 1, 10, 0)
    oh = [
        (ORG, MDO, MIN, "0100000000000000000100", DEPT, ORG, False, "2021-04-01", now),
        ("0100000000000000000100", MIN, None, None, None, None, False, "2020-11-12", now),
        (
            "0100000000000000000002",
            "Fake Regional Office",
            MIN,
            "0100000000000000000100",
            DEPT,
            ORG,
            False,
            "2022-02-02",
            now,
        ),
        (
            "0100000000000000000900",
            "Karmayogi Bharat",
            None,
            None,
            None,
            None,
            True,
            "2020-01-01",
            now,
        ),
        (
            "0100000000000000000300",
            "Government of Exampleland",
            None,
            None,
            None,
            None,
            False,
            "2023-03-03",
            now,
        ),
    ]
    spark_parquet_folder(df(oh, oh_ddl), v, "org_hierarchy")

    ev_ddl = (
        "event_id string, event_name string, event_provider_mdo_id string, event_start_datetime string,"
        " duration string, event_status string, event_type string, presenters string, video_link string,"
        " recording_link string, event_tag string"
    )
    ev = [
        (
            "do_1140000000000000001",
            "Fake Webinar on Budgeting",
            "0100000000000000000900",
            "2024-10-21 15:00:00",
            "01:00:00",
            "Live",
            "Event",
            "No presenters available",
            "https://example.invalid/live/1",
            "https://example.invalid/rec/1",
            "Webinar",
        ),
        (
            "do_1140000000000000002",
            "Fake Karmayogi Talk",
            "0100000000000000000900",
            "2024-10-23 11:00:00",
            "00:45:00",
            "Live",
            "Event",
            "No presenters available",
            None,
            None,
            "Karmayogi Talks",
        ),
        (
            "do_1140000000000000003",
            "Fake State Saptah Session",
            "0100000000000000000300",
            "2025-01-10 10:00:00",
            "01:30:00",
            "Live",
            "Event",
            "No presenters available",
            None,
            None,
            "Rajya Karmayogi Saptah",
        ),
    ]
    spark_parquet_folder(df(ev, ev_ddl), v, "event_details")

    ee_ddl = (
        "user_id string, event_id string, status string, enrolled_on_datetime string, completed_on_datetime string,"
        " certificate_id string, completion_percentage float, event_duration string, progress_duration string,"
        " duration int, event_duration_seconds string, karma_points long"
    )
    ee = [
        (
            UIDS[0],
            "do_1140000000000000001",
            "completed",
            "2024-10-21 09:25:00",
            "2024-10-21 10:30:00",
            "ev-cert-0001",
            100.0,
            "01:00:00",
            "00:58:20",
            3500,
            "3600",
            10,
        ),
        (
            UIDS[4],
            "do_1140000000000000001",
            "completed",
            "2024-10-21 09:20:00",
            "2024-10-21 10:31:00",
            "ev-cert-0002",
            100.0,
            "01:00:00",
            "01:00:00",
            3600,
            "3600",
            10,
        ),
        (
            UIDS[4],
            "do_1140000000000000002",
            "in-progress",
            "2024-10-23 05:25:00",
            None,
            "",
            40.0,
            "00:45:00",
            "00:18:00",
            1080,
            "2700",
            None,
        ),
        (
            UIDS[1],
            "do_1140000000000000002",
            "not-started",
            "2024-10-23 05:40:00",
            None,
            "",
            0.0,
            "",
            "",
            None,
            None,
            None,
        ),
    ]
    spark_parquet_folder(df(ee, ee_ddl), v, "event_enrolment_details")

    cb_ddl = (
        "org_id string, created_by string, cb_plan_id string, plan_name string, allotment_type string,"
        " allotment_to string, content_id string, allocated_on string, due_by string, status string,"
        " isapar boolean, data_last_generated_on string"
    )
    cb = [
        (
            ORG,
            UIDS[1],
            "plan-0001",
            "Fake ACBP 2024-25",
            "Designation",
            "Section Officer",
            "do_1100000000000000001",
            "2024-09-01 10:00:00",
            "2025-03-31 00:00:00",
            "Live",
            False,
            PY_RLGO,
        ),
        (
            ORG,
            UIDS[1],
            "plan-0001",
            "Fake ACBP 2024-25",
            "Designation",
            "Section Officer",
            "do_1100000000000000002",
            "2024-09-01 10:00:00",
            "2025-03-31 00:00:00",
            "Live",
            True,
            PY_RLGO,
        ),
        (
            ORG,
            UIDS[1],
            "plan-0002",
            "Fake ACBP all users",
            "AllUser",
            "All Users",
            "do_1100000000000000001",
            "2025-01-15 09:00:00",
            "2025-06-30 00:00:00",
            "Live",
            False,
            PY_RLGO,
        ),
        (
            ORG,
            UIDS[1],
            "plan-0003",
            "Fake custom plan",
            "CustomUser",
            UIDS[4],
            "do_1100000000000000004",
            "2024-09-01 10:00:00",
            "2024-12-31 00:00:00",
            "Live",
            True,
            PY_RLGO,
        ),
    ]
    spark_parquet_folder(df(cb, cb_ddl), v, "cb_plan")

    km_ddl = "course_id string, competency_area_id string, competency_theme_id string, competency_sub_theme_id string, data_last_generated_on string"
    km = [
        ("do_1100000000000000001", "1", "101", "1001", "2025-10-09 02:11:40"),
        ("do_1100000000000000001", "2", "201", "2001", "2025-10-09 02:11:40"),
        ("do_1100000000000000002", "2", "202", "2002", "2025-10-09 02:11:40"),
        ("do_1100000000000000003", "3", "301", "3001", "2025-10-09 02:11:40"),
        ("do_1100000000000000005", None, None, None, "2025-10-09 02:11:40"),
    ]
    spark_parquet_folder(df(km, km_ddl), v, "kcm_content_mapping")

    # cache (not warehouse): Cassandra sunbird.user_karma_points dumped by dataExhaust.py (coalesce(16) parquet)
    kp_ddl = (
        "userid string, context_type string, context_id string, addinfo string, credit_date timestamp,"
        " operation_type string, points int"
    )
    t = dt.datetime
    kp = [
        (
            UIDS[0],
            "Course",
            "do_1100000000000000001",
            '{"COURSE_COMPLETION":true,"COURSENAME":"Fake Course on Noting, Drafting","ACBP":true,"ASSESSMENT":false}',
            t(2024, 10, 20, 18, 40, 2),
            "COURSE_COMPLETION",
            10,
        ),
        (
            UIDS[0],
            "Event",
            "do_1140000000000000001",
            None,
            t(2024, 10, 21, 10, 30),
            "EVENT_ATTENDED",
            10,
        ),
        (
            UIDS[0],
            "Course",
            "do_1100000000000000001",
            '{"COURSENAME":"Fake Course on Noting, Drafting"}',
            t(2024, 10, 20, 18, 45),
            "RATING",
            2,
        ),
        (
            UIDS[4],
            "Blended Program",
            "do_1100000000000000004",
            '{"COURSE_COMPLETION":true,"COURSENAME":"Fake Blended Program","ACBP":true,"ASSESSMENT":false}',
            t(2024, 10, 27, 17, 30),
            "COURSE_COMPLETION",
            10,
        ),
        (UIDS[4], "User", UIDS[4], None, t(2022, 3, 30, 9, 5), "FIRST_LOGIN", 5),
        (
            UIDS[1],
            "Course",
            "do_1100000000000000001",
            None,
            t(2025, 2, 3, 16, 20, 9),
            "FIRST_ENROLMENT",
            5,
        ),
    ]
    spark_parquet_folder(df(kp, kp_ddl), "python/cache_pq", "userKarmaPoints")


# =============================== SCALA (sunbird-core-dataproducts) ===============================
def scala_reports(kcm, kcm_ddl):
    for v, rlgo, date_fmt, cbp_date in (
        ("scala-4.8.18", S18_RLGO, "ymd", "ymd"),
        ("scala-4.8.15", S15_RLGO, "dmy", "dmy2"),
    ):

        def fmt(iso):
            if iso is None or iso == "":
                return iso
            y, m, dd = iso.split("-")
            return {"ymd": iso, "dmy": f"{dd}/{m}/{y}", "dmy2": f"{dd}/{m}/{y[2:]}"}[date_fmt]

        def cfmt(iso):
            if not iso:
                return ""  # .na.fill("") after date_format
            y, m, dd = iso.split("-")
            return iso if cbp_date == "ymd" else f"{dd}/{m}/{y[2:]}"

        # ---- UserReport.csv (UserReportModel.scala) ----
        base = (
            "Full_Name string, Designation string, Email string, Phone_Number string, `Group` string, Tag string,"
            " Ministry string, Department string, Organization string, User_Registration_Date string, Roles string,"
            " Gender string, Category string, External_System string, External_System_Id string, mdoid string,"
            " Report_Last_Generated_On string, MDO_Created_On string, `Verified Karmayogi` boolean,"
            " weekly_claps_day_before_yesterday int"
        )
        nlw = (
            ", Event_Learning_Hr_After_19_Oct double, Content_Learning_Hr_After_19_Oct double,"
            " Total_Learning_Hr_After_19_Oct double"
        )
        ddl = base + (nlw if v == "scala-4.8.18" else "")
        reg = ["2023-01-15", "2023-06-02", "2024-10-19", "2024-10-21", "2022-03-30", "2025-01-07"]
        rows = []
        for i, p in enumerate(P):
            r = (
                p[0],
                p[1],
                p[2],
                p[3],
                p[4],
                p[5],
                MIN,
                DEPT,
                MDO,
                fmt(reg[i]),
                "PUBLIC",
                p[6],
                p[7],
                None,
                None,
                ORG,
                rlgo,
                fmt("2021-04-01"),
                i in (0, 4),
                [3, None, 1, None, 4, None][i],
            )
            if v == "scala-4.8.18":
                eh, ch = [(1.0, 1.5), (0.0, 0.0), (0.0, 0.0), (0.0, 0.0), (2.0, 22.0), (0.0, 0.0)][
                    i
                ]
                r += (eh, ch, round(eh + ch, 2))
            rows.append(r)
        spark_partitioned_csv(
            df(rows, ddl),
            v,
            f"user-report/{DAY if v == 'scala-4.8.18' else '2024-08-13'}",
            "UserReport",
            scala_rename=True,
        )

        # ---- ConsumptionReport.csv (UserEnrolmentModel.scala) ----
        ddl = (
            "Full_Name string, Designation string, Email string, Phone_Number string, `Group` string, Tag string,"
            " Ministry string, Department string, Organization string, Content_Provider string, Content_Name string,"
            " Content_Type string, Content_Duration string, Batch_Id string, Batch_Name string, Batch_Start_Date date,"
            " Batch_End_Date date, Enrolled_On string, Status string, Content_Progress_Percentage double,"
            " Last_Published_On date, Content_Retired_On date, Completed_On string, Certificate_Generated string,"
            " User_Rating string, Gender string, Category string, External_System string, External_System_Id string,"
            " mdoid string, Certificate_ID string, Report_Last_Generated_On string, Live_CBP_Plan_Mandate boolean"
        )
        d = dt.date
        enr = [
            (
                0,
                "Karmayogi Bharat",
                "Fake Course on Noting, Drafting",
                "Course",
                "01:30:00",
                "01390000000000000001",
                None,
                None,
                None,
                "2024-10-19 09:12:44",
                "completed",
                100.0,
                d(2024, 5, 2),
                None,
                "2024-10-20 18:40:02",
                "Yes",
                "4.0",
                "cert-0000-0001",
                True,
            ),
            (
                0,
                "Institute of Examples",
                "Fake Program on Ethics",
                "Program",
                "10:00:00",
                "01390000000000000002",
                None,
                None,
                None,
                "2024-10-21 11:00:00",
                "in-progress",
                33.33,
                d(2024, 9, 9),
                None,
                None,
                "No",
                None,
                "",
                False,
            ),
            (
                1,
                "Karmayogi Bharat",
                "Fake Course on Noting, Drafting",
                "Course",
                "01:30:00",
                "01390000000000000001",
                None,
                None,
                None,
                "2024-07-03 16:20:09",
                "not-started",
                0.0,
                d(2024, 5, 2),
                None,
                None,
                "No",
                None,
                "",
                True,
            ),
            (
                2,
                "Karmayogi Bharat",
                "Retired Fake Course",
                "Course",
                "00:45:00",
                "01390000000000000003",
                None,
                None,
                None,
                "2023-07-07 07:07:07",
                "completed",
                100.0,
                d(2023, 1, 1),
                d(2024, 6, 30),
                "2023-07-08 10:00:00",
                "Yes",
                "5.0",
                "cert-0000-0003",
                False,
            ),
            (
                4,
                "Institute of Examples",
                "Fake Blended Program",
                "Blended Program",
                "20:00:00",
                "01390000000000000004",
                "Cohort Oct-2024",
                d(2024, 10, 19),
                d(2024, 10, 27),
                "2024-10-18 12:00:00",
                "completed",
                100.0,
                d(2024, 8, 1),
                None,
                "2024-10-27 17:30:00",
                "Yes",
                None,
                "cert-0000-0004",
                True,
            ),
        ]
        rows = []
        for (
            pi,
            prov,
            cname,
            ctype,
            dur,
            bid,
            bname,
            bs,
            be,
            eo,
            st,
            pct,
            pub,
            ret,
            co,
            cg,
            rt,
            cid,
            acbp,
        ) in enr:
            p = P[pi]
            rows.append(
                (
                    p[0],
                    p[1],
                    p[2],
                    p[3],
                    p[4],
                    p[5],
                    MIN,
                    DEPT,
                    MDO,
                    prov,
                    cname,
                    ctype,
                    dur,
                    bid,
                    bname,
                    bs,
                    be,
                    eo,
                    st,
                    pct,
                    pub,
                    ret,
                    co,
                    cg,
                    rt,
                    p[6],
                    p[7],
                    None,
                    None,
                    ORG,
                    cid,
                    rlgo,
                    acbp,
                )
            )
        if (
            v == "scala-4.8.18"
        ):  # marketplace rows exist from 4.8.16/17 on: raw status code + raw timestamps
            p = P[4]
            rows.append(
                (
                    p[0],
                    p[1],
                    p[2],
                    p[3],
                    p[4],
                    p[5],
                    MIN,
                    DEPT,
                    MDO,
                    "Fake MOOC Partner",
                    "External Fake Course",
                    "External Content",
                    "02:00:00",
                    "Not Available",
                    "Not Available",
                    None,
                    None,
                    "2024-10-22 08:00:00",
                    "2",
                    100.0,
                    None,
                    None,
                    "2024-10-23 09:00:00",
                    "Yes",
                    "Not Available",
                    p[6],
                    "External Content",
                    None,
                    None,
                    ORG,
                    "ext-cert-0001",
                    rlgo,
                    False,
                )
            )
        spark_partitioned_csv(
            df(rows, ddl),
            v,
            f"user-enrollment-report/{DAY if v == 'scala-4.8.18' else '2024-08-13'}",
            "ConsumptionReport",
            scala_rename=True,
        )

        # ---- CBPEnrollmentReport.csv (UserACBPReportModel.scala) ----
        ddl = (
            "Name string, Email string, Phone string, Ministry string, Department string, Organization string,"
            " `Group` string, Designation string, `Name of CBP Allocated Course` string, `Allocated On` string,"
            " `Current Progress` string, `Due Date of Completion` string, `Actual Date of Completion` string,"
            " mdoid string, Report_Last_Generated_On string"
        )
        cbp = [
            (
                0,
                "Fake Course on Noting, Drafting",
                "2024-09-01",
                "Completed",
                "2025-03-31",
                "2024-10-20",
            ),
            (0, "Fake Program on Ethics", "2024-09-01", "In Progress", "2025-03-31", None),
            (1, "Fake Course on Noting, Drafting", "2024-07-15", "Not Started", "2024-12-30", None),
            (
                3,
                "Fake Course on Noting, Drafting",
                "2024-07-15",
                "Not Enrolled",
                "2024-12-30",
                None,
            ),
            (4, "Fake Blended Program", "2024-07-01", "Completed", "2024-12-31", "2024-10-27"),
        ]
        rows = [
            (
                P[pi][0],
                P[pi][2],
                P[pi][3] or "",
                MIN,
                DEPT,
                MDO,
                P[pi][4] or "",
                P[pi][1],
                c,
                cfmt(a),
                pr,
                cfmt(du),
                cfmt(dn),
                ORG,
                rlgo,
            )
            for pi, c, a, pr, du, dn in cbp
        ]
        spark_partitioned_csv(
            df(rows, ddl),
            v,
            f"cbp-report-mdo-enrolment/{DAY if v == 'scala-4.8.18' else '2024-08-13'}",
            "CBPEnrollmentReport",
            scala_rename=True,
        )

        # ---- ContentCompetencyMapping.csv (KCMModel.scala): competency_theme_type from data_node.additional_properties.themeType
        kcm_s = [r[:6] + ("<themeType value; not visible in code>",) + r[7:] for r in kcm]
        spark_single_csv(
            df(kcm_s, kcm_ddl),
            v,
            f"kcm-report/{DAY}/ContentCompetencyMapping",
            "ContentCompetencyMapping",
        )


def scala_warehouse_csv():
    """Scala generateReport(df.coalesce(1), "<report>/<date>-warehouse"): a folder with one part-*.csv, no rename."""
    v = "scala-4.8.18"
    ud_ddl = (
        "user_id string, mdo_id string, status int, no_of_karma_points long, full_name string, designation string,"
        " email string, phone_number string, groups string, tag string, is_verified_karmayogi boolean,"
        " user_registration_date string, roles string, gender string, category string, created_by_id string,"
        " external_system string, external_system_id string, weekly_claps_day_before_yesterday int,"
        " marked_as_not_my_user boolean, total_event_learning_hours double, total_content_learning_hours double,"
        " total_learning_hours double, data_last_generated_on string"
    )
    rows = []
    for i, p in enumerate(P):
        rows.append(
            (
                UIDS[i],
                ORG,
                [1, 1, 1, 1, 1, 0][i],
                [45, 10, 0, 0, 120, 5][i],
                p[0],
                p[1],
                p[2],
                p[3],
                p[4],
                p[5],
                i in (0, 4),
                [
                    "2023-01-15 10:01:02",
                    "2023-06-02 12:00:00",
                    "2024-10-19 08:30:00",
                    "2024-10-21 21:15:45",
                    "2022-03-30 09:00:00",
                    "2025-01-07 17:45:00",
                ][i],
                "PUBLIC",
                p[6],
                p[7],
                UIDS[4],
                None,
                None,
                [3, None, 1, None, 4, None][i],
                i == 5,
                [1.0, 0.0, 0.0, 0.0, 2.0, 0.0][i],
                [1.5, 0.0, 0.0, 0.0, 22.0, 0.0][i],
                [2.5, 0.0, 0.0, 0.0, 24.0, 0.0][i],
                S18_RLGO,
            )
        )
    spark_single_csv(
        df(rows, ud_ddl),
        v + "/warehouse",
        f"user-report/{DAY}-warehouse",
        "user_detail",
        keep_part_name=True,
    )

    ue_ddl = (
        "user_id string, batch_id string, content_id string, enrolled_on string, content_progress_percentage double,"
        " resource_count_consumed int, user_consumption_status string, first_completed_on string,"
        " first_certificate_generated_on string, last_completed_on string, last_certificate_generated_on string,"
        " content_last_accessed_on string, certificate_generated string, number_of_certificate int,"
        " user_rating string, certificate_id string, live_cbp_plan_mandate boolean, data_last_generated_on string"
    )
    ue = [
        (
            UIDS[0],
            "01390000000000000001",
            "do_1100000000000000001",
            "2024-10-19 09:12:44",
            100.0,
            6,
            "completed",
            "2024-10-20 18:40:05",
            "2024-10-20 18:40:05",
            "2024-10-20 18:40:02",
            "2024-10-20 18:40:05",
            "2024-10-20 18:39:50",
            "Yes",
            1,
            "4.0",
            "cert-0000-0001",
            True,
            S18_RLGO,
        ),
        (
            UIDS[0],
            "01390000000000000002",
            "do_1100000000000000002",
            "2024-10-21 11:00:00",
            33.33,
            2,
            "in-progress",
            None,
            None,
            None,
            None,
            "2024-10-22 10:00:00",
            "No",
            0,
            None,
            "",
            False,
            S18_RLGO,
        ),
        (
            UIDS[1],
            "01390000000000000001",
            "do_1100000000000000001",
            "2024-07-03 16:20:09",
            0.0,
            0,
            "not-started",
            None,
            None,
            None,
            None,
            None,
            "No",
            0,
            None,
            "",
            True,
            S18_RLGO,
        ),
        (
            UIDS[4],
            "Not Available",
            "ext_0000000000000001",
            "2024-10-22 08:00:00",
            100.0,
            0,
            "2",
            "2024-10-23T09:00:01.000+0000",
            "2024-10-23T09:00:01.000+0000",
            "2024-10-23 09:00:00",
            "2024-10-23 14:30:01",
            "Not Available",
            "Yes",
            1,
            "Not Available",
            "ext-cert-0001",
            False,
            S18_RLGO,
        ),
    ]
    spark_single_csv(
        df(ue, ue_ddl),
        v + "/warehouse",
        f"user-enrollment-report/{DAY}-warehouse",
        "user_enrolments",
        keep_part_name=True,
    )

    oh_ddl = (
        "mdo_id string, mdo_name string, ministry string, department string, mdo_created_on date,"
        " is_content_provider string, organization string, data_last_generated_on string"
    )
    d = dt.date
    oh = [
        (ORG, MDO, MIN, DEPT, d(2021, 4, 1), "N", MDO, S18_RLGO),
        ("0100000000000000000100", MIN, None, None, d(2020, 11, 12), "N", None, S18_RLGO),
        (
            "0100000000000000000900",
            "Karmayogi Bharat",
            None,
            None,
            d(2020, 1, 1),
            "Y",
            None,
            S18_RLGO,
        ),
    ]
    spark_single_csv(
        df(oh, oh_ddl),
        v + "/warehouse",
        f"org-hierarchy-report/{DAY}-warehouse",
        "org_hierarchy",
        keep_part_name=True,
    )


# ====================== issue 14 follow-up: content/KCM warehouse, fullReport zip ======================
#: Invented password for the fixture zip (zipUpload.py takes it from config.password).
FULL_REPORT_PASSWORD = "fixture-password"

#: (area_id, area, theme_id, theme, sub_theme_id, sub_theme) of the invented KCM dictionary.
_KCM_DICT = [
    ("1", "Functional", "101", "Noting and Drafting", "1001", "Drafting letters"),
    ("1", "Functional", "102", "Project management", "1002", "Planning"),
    ("2", "Behavioural", "201", "Communication", "2001", "Written communication"),
    ("2", "Behavioural", "202", "Integrity", "2002", "Ethical conduct"),
    ("3", "Domain", "301", "Public finance", "3001", "Budget preparation"),
]


def python_kcm_dictionary():
    """PY kcmReport.py line 239: ``competency_details_df.distinct().write...parquet(dwKcmDictionaryTable)``.

    No ``coalesce(1)`` in the job: with one shuffle partition here it is one part file, on the
    platform possibly several. ``competency_theme_type`` is ``F.lit("Null")`` (line 231-233),
    ``data_last_generated_on`` ``self.current_date_time()`` (``%Y-%m-%d %H:%M:%S``, no AM/PM).
    """
    ddl = (
        "competency_area_id string, competency_area string, competency_area_description string,"
        " competency_theme_id string, competency_theme string, competency_theme_description string,"
        " competency_sub_theme_id string, competency_sub_theme string, competency_sub_theme_description string,"
        " competency_theme_type string, data_last_generated_on string"
    )
    rows = [
        (
            a,
            an,
            f"{an} competencies (invented text)",
            t,
            tn,
            f"{tn} (invented)",
            s,
            sn,
            f"{sn} (invented)",
            "Null",
            "2025-10-09 02:11:40",
        )
        for a, an, t, tn, s, sn in _KCM_DICT
    ]
    dest = OUT / "python" / "warehouse" / "kcm_dictionary"
    if dest.exists():
        shutil.rmtree(dest)
    df(rows, ddl).distinct().write.mode("overwrite").option("compression", "snappy").parquet(
        str(dest)
    )
    for crc in dest.glob(".*.crc"):
        crc.unlink()


def python_full_report_zip():
    """PY zipUpload.py lines 168-205: every ``warehouse/<folder>`` with Parquet parts is read by
    Spark and written ``coalesce(1)...option("header", "true").csv(<folder>.csv_tmp)``, the part
    file moved to ``fullReport/<folder>.csv``, then ``zip -P <password> -j fullReport/reports.zip
    *.csv`` (ZipCrypto, flat). Only the zip is synced (``sync_reports(warehouse_zip_path, ...)``).
    """
    import subprocess

    base = OUT / "python" / "warehouse"
    work = TMP / "fullReport"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    csvs = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        if not any(f.name.endswith(".parquet") for f in folder.iterdir()):
            continue
        out = work / f"{folder.name}.csv"
        spark.read.parquet(str(folder)).coalesce(1).write.mode("overwrite").option(
            "header", "true"
        ).csv(str(out) + "_tmp")
        part = next(f for f in Path(str(out) + "_tmp").iterdir() if f.name.endswith(".csv"))
        shutil.move(str(part), str(out))
        shutil.rmtree(str(out) + "_tmp")
        csvs.append(str(out))
    dest = OUT / "python" / "fullReport"
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    subprocess.run(
        ["zip", "-q", "-X", "-P", FULL_REPORT_PASSWORD, "-j", str(dest / "reports.zip"), *csvs],
        check=True,
    )


def scala_warehouse_content_kcm():
    """S18 CourseReportModel.scala 281-305 and KCMModel.scala 36-83: the warehouse CSV folders
    ``course-report/<date>-warehouse`` (content), ``kcm-report/<date>/ContentCompetencyMapping-warehouse``
    (kcm_content_mapping) and ``kcm-report/<date>/CompetencyHierarchy-warehouse`` (kcm_dictionary),
    each ``generateReport(df.coalesce(1), path)``: one part-*.csv, not renamed, _SUCCESS removed.
    """
    v = "scala-4.8.18/warehouse"
    # platform rows (union by position with the marketplace rows, so rating / resource_count /
    # last_published_on become strings); durationFormat: null -> "", else "%02d:%02d:%02d"
    ct_ddl = (
        "content_id string, content_provider_id string, content_provider_name string, content_name string,"
        " content_type string, batch_id string, batch_name string, batch_start_date date, batch_end_date date,"
        " content_duration string, content_rating string, last_published_on string, content_retired_on date,"
        " content_status string, resource_count string, total_certificates_issued long, content_substatus string,"
        " language string, data_last_generated_on string"
    )
    d = dt.date
    kb, ie = (
        ("0100000000000000000900", "Karmayogi Bharat"),
        ("0100000000000000000901", "Institute of Examples"),
    )
    ct = [
        (
            "do_1100000000000000001",
            *kb,
            "Fake Course on Noting, Drafting",
            "Course",
            None,
            None,
            None,
            None,
            "01:30:00",
            "4.25",
            "2024-05-02",
            None,
            "Live",
            "6",
            1234,
            None,
            "english",
            S18_RLGO,
        ),
        (
            "do_1100000000000000002",
            *ie,
            "Fake Program on Ethics",
            "Program",
            None,
            None,
            None,
            None,
            "10:00:00",
            None,
            "2024-09-09",
            None,
            "Live",
            "6",
            10,
            None,
            "english",
            S18_RLGO,
        ),
        (
            "do_1100000000000000003",
            *kb,
            "Retired Fake Course",
            "Course",
            None,
            None,
            None,
            None,
            "00:45:00",
            "4.8",
            "2023-01-01",
            d(2024, 12, 31),
            "Retired",
            "3",
            88,
            None,
            "hindi",
            S18_RLGO,
        ),
        # Blended Programs: one row per batch (relevantBatchInfoDF joins batches for them only)
        (
            "do_1100000000000000004",
            *ie,
            "Fake Blended Program",
            "Blended Program",
            "01390000000000000004",
            "Cohort Oct-2024",
            d(2024, 10, 19),
            d(2024, 10, 27),
            "20:00:00",
            None,
            "2024-08-01",
            None,
            "Live",
            "12",
            40,
            "sentToPublish",
            "english",
            S18_RLGO,
        ),
        (
            "do_1100000000000000004",
            *ie,
            "Fake Blended Program",
            "Blended Program",
            "01390000000000000005",
            "Cohort Jan-2025",
            d(2025, 1, 6),
            d(2025, 1, 10),
            "20:00:00",
            None,
            "2024-08-01",
            None,
            "Live",
            "12",
            40,
            "sentToPublish",
            "english",
            S18_RLGO,
        ),
        # a Draft course without a duration: durationFormat writes ""
        (
            "do_1100000000000000005",
            *kb,
            "Draft Fake Course",
            "Course",
            None,
            None,
            None,
            None,
            "",
            None,
            None,
            None,
            "Draft",
            "0",
            0,
            None,
            "english",
            S18_RLGO,
        ),
        # marketplace (lines 196-216): batch / rating / resource_count / substatus / language "Not Available"
        (
            "ext_0000000000000001",
            "0100000000000000000950",
            "Fake MOOC Partner",
            "External Fake Course",
            "External Content",
            "Not Available",
            "Not Available",
            None,
            None,
            "02:00:00",
            "Not Available",
            "2024-01-10",
            None,
            "LIVE",
            "Not Available",
            1,
            "Not Available",
            "Not Available",
            S18_RLGO,
        ),
    ]
    spark_single_csv(
        df(ct, ct_ddl), v, f"course-report/{DAY}-warehouse", "content", keep_part_name=True
    )

    km_ddl = (
        "course_id string, competency_area_id string, competency_theme_id string,"
        " competency_sub_theme_id string, data_last_generated_on string"
    )
    km = [
        ("do_1100000000000000001", "1", "101", "1001", S18_RLGO),
        ("do_1100000000000000001", "1", "102", "1002", S18_RLGO),
        ("do_1100000000000000001", "2", "201", "2001", S18_RLGO),
        ("do_1100000000000000002", "2", "202", "2002", S18_RLGO),
        ("do_1100000000000000002", "9", "901", "9001", S18_RLGO),  # ids not in the dictionary
        ("do_1100000000000000003", "3", "301", "3001", S18_RLGO),
        ("do_1100000000000000005", None, None, None, S18_RLGO),  # posexplode_outer: no competency
    ]
    spark_single_csv(
        df(km, km_ddl),
        v,
        f"kcm-report/{DAY}/ContentCompetencyMapping-warehouse",
        "kcm_content_mapping",
        keep_part_name=True,
    )

    kd_ddl = (
        "competency_area_id string, competency_area string, competency_area_description string,"
        " competency_theme_type string, competency_theme_id string, competency_theme string,"
        " competency_theme_description string, competency_sub_theme_id string, competency_sub_theme string,"
        " competency_sub_theme_description string, data_last_generated_on string"
    )
    kd = [
        (
            a,
            an,
            f"{an} competencies (invented text)",
            "<themeType value; not visible in code>",
            t,
            tn,
            f"{tn} (invented)",
            s,
            sn,
            f"{sn} (invented)",
            S18_RLGO,
        )
        for a, an, t, tn, s, sn in _KCM_DICT
    ]
    spark_single_csv(
        df(kd, kd_ddl),
        v,
        f"kcm-report/{DAY}/CompetencyHierarchy-warehouse",
        "kcm_dictionary",
        keep_part_name=True,
    )


def python_mdo_zip():
    """PY zipUpload.py lines 86-166: today's CSVs of ``mdoid=<id>`` from each report folder copied
    flat into ``merged/mdoid=<id>/`` with the KCM file as ``ContentCompetencyMapping.csv``, then
    ``zip -P <password> -j merged/mdoid=<id>/reports.zip *.csv`` and the CSVs removed."""
    import subprocess

    tree = OUT / "python" / "tree" / "standalone-reports"
    work = TMP / "merged" / f"mdoid={ORG}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for folder in ("user-report", "user-enrollment-report", "cbp-report-mdo-enrolment"):
        for f in sorted((tree / folder / DAY / f"mdoid={ORG}").glob("*.csv")):
            shutil.copy(f, work / f.name)
    kcm = tree / "kcm-report" / DAY / "ContentCompetencyMapping" / "ContentCompetencyMapping.csv"
    shutil.copy(kcm, work / "ContentCompetencyMapping.csv")
    dest = OUT / "python" / "merged" / f"mdoid={ORG}"
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    csvs = sorted(str(f) for f in work.glob("*.csv"))
    subprocess.run(
        ["zip", "-q", "-X", "-P", FULL_REPORT_PASSWORD, "-j", str(dest / "reports.zip"), *csvs],
        check=True,
    )


BUILDERS = {
    "python_mdo_zip": python_mdo_zip,
    "scala_warehouse_content_kcm": scala_warehouse_content_kcm,
    "python_kcm_dictionary": python_kcm_dictionary,
    "python_full_report_zip": python_full_report_zip,
}


if __name__ == "__main__":
    import sys

    TMP.mkdir(exist_ok=True)
    if sys.argv[1:]:
        # Rebuild only the named fixtures (the others keep their part-file names).
        for name in sys.argv[1:]:
            BUILDERS[name]()
    else:
        for variant in ("python", "python_largeorg", "scala-4.8.15", "scala-4.8.18"):
            _reset(OUT / variant)  # never OUT itself: this script lives there
        kcm, kcm_ddl = python_reports()
        python_warehouse()
        python_kcm_dictionary()
        scala_reports(kcm, kcm_ddl)
        scala_warehouse_csv()
        scala_warehouse_content_kcm()
        python_full_report_zip()
        python_mdo_zip()
    shutil.rmtree(TMP)
    for p in sorted(OUT.rglob("*")):
        if p.is_file():
            print(p.relative_to(OUT))
    spark.stop()
