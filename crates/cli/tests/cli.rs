//! The `throughcare` binary as a user runs it: arguments, files, exit status and messages.

use std::path::Path;
use std::process::{Command, Output};

fn throughcare(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_throughcare"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn help_explains_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let help = ok(&throughcare(dir.path(), &["--help"]));
    for command in ["seed", "import", "export", "--database-url"] {
        assert!(help.contains(command), "{command} missing from --help:\n{help}");
    }
    let seed = ok(&throughcare(dir.path(), &["seed", "--help"]));
    for flag in ["--establishments", "--people", "--years", "--seed", "--end"] {
        assert!(seed.contains(flag), "{flag} missing from seed --help");
    }
    assert!(!dir.path().join("throughcare.db").exists(), "--help touches no database");
}

#[test]
fn seed_defaults_to_a_sqlite_file_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seed = ["seed", "--establishments", "3", "--people", "120", "--seed", "42", "--end", "2026-03-31"];
    ok(&throughcare(d, &seed));
    assert!(d.join("throughcare.db").exists(), "default database is sqlite://throughcare.db");
    let first = ok(&throughcare(d, &["export", "events"]));
    ok(&throughcare(
        d,
        &[
            "--database-url",
            "sqlite://other.db",
            "seed",
            "--establishments",
            "3",
            "--people",
            "120",
            "--seed",
            "42",
            "--end",
            "2026-03-31",
        ],
    ));
    let second = ok(&throughcare(d, &["--database-url", "sqlite://other.db", "export", "events"]));
    assert_eq!(first, second, "same seed and end date, same data");
    ok(&throughcare(
        d,
        &[
            "--database-url",
            "sqlite://third.db",
            "seed",
            "--establishments",
            "3",
            "--people",
            "120",
            "--seed",
            "43",
            "--end",
            "2026-03-31",
        ],
    ));
    assert_ne!(first, ok(&throughcare(d, &["--database-url", "sqlite://third.db", "export", "events"])));
    // Seeding twice into one database is refused, and changes nothing.
    let again = throughcare(d, &seed);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("seed into a new database"));
    assert_eq!(first, ok(&throughcare(d, &["export", "events"])));
}

#[test]
fn export_then_import_through_files_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&throughcare(d, &["--database-url", "sqlite://a.db", "seed", "--people", "80", "--end", "2026-01-31"]));
    for what in ["establishments", "people", "events"] {
        ok(&throughcare(d, &["--database-url", "sqlite://a.db", "export", what, "--output", &format!("{what}.csv")]));
    }
    for what in ["establishments", "people", "events"] {
        let out = throughcare(d, &["--database-url", "sqlite://b.db", "import", what, &format!("{what}.csv")]);
        ok(&out);
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("imported "));
    }
    for what in ["establishments", "people", "events"] {
        let exported = ok(&throughcare(d, &["--database-url", "sqlite://b.db", "export", what]));
        assert_eq!(exported, std::fs::read_to_string(d.join(format!("{what}.csv"))).unwrap(), "{what}");
    }
}

#[test]
fn a_bad_file_exits_non_zero_listing_every_bad_row_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("people.csv"),
        "prison_number,given_name,family_name,date_of_birth,nhs_number\nA1234BC,Ann,Lee,1990-13-01,\nA1234BD,Bo,Ng,1990-01-01,\nnot-a-number,Cy,Ode,1990-01-01,\n",
    )
    .unwrap();
    let out = throughcare(d, &["import", "people", "people.csv"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("people.csv was not imported"), "{err}");
    assert!(err.contains("line 2, column date_of_birth"), "{err}");
    assert!(err.contains("line 4, column prison_number"), "{err}");
    assert!(!err.contains("line 3"), "{err}");
    assert_eq!(
        ok(&throughcare(d, &["export", "people"])),
        "prison_number,given_name,family_name,date_of_birth,nhs_number\n"
    );

    // An event in the year 9999 once made the importer panic (exit 101): now a refusal naming
    // line and column. A worklist "as at" a far date is refused rather than rolled forward to.
    std::fs::write(d.join("establishments.csv"), "code,name,population\nLEI,HMP Leeds,MEN\n").unwrap();
    ok(&throughcare(d, &["import", "establishments", "establishments.csv"]));
    std::fs::write(
        d.join("person.csv"),
        "prison_number,given_name,family_name,date_of_birth,nhs_number\nA1234BD,Bo,Ng,1990-01-01,\n",
    )
    .unwrap();
    ok(&throughcare(d, &["import", "people", "person.csv"]));
    std::fs::write(
        d.join("events.csv"),
        "event_id,prison_number,kind,occurred_at,recorded_at,recorded_by,supersedes,correction_reason,details\n\
         00000000-0000-4000-8000-000000000001,A1234BD,activity_attended,9999-12-30T00:00:00Z,9999-12-30T00:00:00Z,officer,,,\"{\"\"activity\"\":\"\"GYM\"\",\"\"minutes\"\":60}\"\n",
    )
    .unwrap();
    let far = throughcare(d, &["import", "events", "events.csv"]);
    assert_eq!(far.status.code(), Some(1), "{}", String::from_utf8_lossy(&far.stderr));
    let err = String::from_utf8_lossy(&far.stderr);
    assert!(err.contains("line 2, column occurred_at: occurred_at 9999-12-30T00:00:00Z is later than now"), "{err}");
    assert_eq!(ok(&throughcare(d, &["export", "events"])).lines().count(), 1, "nothing imported");
    let worklist = throughcare(d, &["worklist", "--establishment", "LEI", "--at", "3000-01-01"]);
    assert_eq!(worklist.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&worklist.stderr).contains("more than a year ahead"));

    let missing = throughcare(d, &["import", "people", "nope.csv"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot open nope.csv"));
    let bad_url = throughcare(d, &["--database-url", "mysql://root:hunter2@db/x", "export", "people"]);
    assert!(!bad_url.status.success());
    let msg = String::from_utf8_lossy(&bad_url.stderr);
    assert!(msg.contains("sqlite://") && !msg.contains("hunter2"), "{msg}");
}

#[test]
fn standards_are_checked_before_anything_starts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_eq!(ok(&throughcare(d, &["standards", "check"])).trim(), "62 standards and 106 measures are valid");
    let list = ok(&throughcare(d, &["standards", "list"]));
    assert!(list.contains("mbu-booklet") && list.contains("key-work-weekly"));
    // The id column is padded to its width, so every title starts in the same column.
    assert!(
        list.lines().all(|l| l.len() > 35 && l.as_bytes()[34] == b' ' && l.as_bytes()[35] != b' '),
        "ids padded to 34 characters, the next column after one space:\n{list}"
    );
    std::fs::create_dir(d.join("mine")).unwrap();
    std::fs::write(
        d.join("mine/bad.toml"),
        "[[standard]]\nid = \"x\"\ntitle = \"X\"\nsource = \"Local policy\"\nscope = \"national\"\nteam = \"healthcare\"\ntrigger = \"reception\"\ncompleted_by = [\"no_such_event\"]\ndue = \"7 days\"\n",
    )
    .unwrap();
    let out = throughcare(d, &["standards", "check", "mine"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:8: x: unknown event kind \"no_such_event\""), "{err}");
    // Any command refuses to start on bad standards, before touching the database.
    let out = throughcare(d, &["--standards", "mine", "export", "people"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!d.join("throughcare.db").exists());

    // Measures live beside the standards: a folder's measures/ replaces the built-in ones.
    std::fs::remove_file(d.join("mine/bad.toml")).unwrap();
    // Measures that name a standard (ACCT, Listeners) need its file beside them.
    for (name, text) in [
        ("reception.toml", include_str!("../../../standards/reception.toml")),
        ("safer-custody.toml", include_str!("../../../standards/safer-custody.toml")),
        ("peer-support.toml", include_str!("../../../standards/peer-support.toml")),
    ] {
        std::fs::write(d.join("mine").join(name), text).unwrap();
    }
    std::fs::create_dir(d.join("mine/measures")).unwrap();
    let outcomes = include_str!("../../../standards/measures/outcomes.toml");
    let local = "\n[[measure]]\nid = \"gym\"\ntitle = \"Went to the gym\"\ncounts_in_words = \"people who went to the gym\"\nsource = \"Local\"\nworse = \"lower\"\nkind = \"people\"\ncounts = \"activity_attended\"\ncounts_where = \"event.activity == 'GYM'\"\n";
    std::fs::write(d.join("mine/measures/outcomes.toml"), format!("{outcomes}{local}")).unwrap();
    let checked = ok(&throughcare(d, &["standards", "check", "mine"]));
    assert_eq!(
        checked.trim(),
        "18 standards and 63 measures are valid",
        "44 outcomes, the gym, and the 7 reception, 10 safer-custody and 1 peer-support standards"
    );
    std::fs::write(
        d.join("mine/measures/outcomes.toml"),
        format!("{outcomes}{}", local.replace("GYM'", "GYM' && sex == 'F'")),
    )
    .unwrap();
    let out = throughcare(d, &["--standards", "mine", "export", "people"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the measures are not valid")
            && err.contains("outcomes.toml:")
            && err.contains("event.FIELD only"),
        "{err}"
    );
    std::fs::write(d.join("mine/measures/outcomes.toml"), format!("{outcomes}{local}")).unwrap();

    // A festival calendar beside the standards replaces the built-in one; a date outside its
    // year, or a religion throughcare does not record, stops everything, naming file and line.
    std::fs::create_dir(d.join("mine/reference")).unwrap();
    let festivals = include_str!("../../../standards/reference/festivals.toml");
    std::fs::write(d.join("mine/reference/festivals.toml"), festivals).unwrap();
    ok(&throughcare(d, &["standards", "check", "mine"]));
    let line = festivals.lines().position(|l| l.contains("\"2027-03-09\"")).unwrap() + 1;
    std::fs::write(
        d.join("mine/reference/festivals.toml"),
        festivals.replace("2027 = \"2027-03-09\"", "2027 = \"2028-03-09\""),
    )
    .unwrap();
    let out = throughcare(d, &["standards", "check", "mine"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("the festivals are not valid")
            && err.contains(&format!("festivals.toml:{line}:"))
            && err.contains("outside its year 2027"),
        "{err}"
    );
    std::fs::write(d.join("mine/reference/festivals.toml"), festivals.replace("\"SIKH\"", "\"SIKHISM\"")).unwrap();
    let out = throughcare(d, &["--standards", "mine", "export", "people"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("unknown religion \"SIKHISM\""), "{err}");
}

#[test]
fn worklists_and_compliance_reports_from_a_seeded_estate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&throughcare(d, &["seed", "--establishments", "3", "--people", "150", "--seed", "3", "--end", "2026-03-31"]));
    let json = ok(&throughcare(d, &["worklist", "--establishment", "AAB", "--at", "2026-03-31", "--format", "json"]));
    let items: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["establishment"] == "AAB"));
    let overdue: Vec<i64> = items.iter().map(|i| i["days_overdue"].as_i64().unwrap()).collect();
    assert!(overdue.windows(2).all(|w| w[0] >= w[1]), "most overdue first");
    let team = ok(&throughcare(
        d,
        &["worklist", "--establishment", "AAB", "--at", "2026-03-31", "--team", "key-worker", "--format", "csv"],
    ));
    assert!(team.lines().skip(1).all(|l| l.contains(",key-worker,")), "{team}");
    let table = ok(&throughcare(d, &["worklist", "--establishment", "AAB", "--at", "2026-03-31"]));
    assert!(table.trim_end().ends_with("open obligations"));
    // People read words: due times in London time, no codes or RFC 3339 strings.
    assert!(table.contains("by end of") && !table.contains("T23:59") && !table.contains("due-this-week"), "{table}");
    let missing = throughcare(d, &["worklist", "--establishment", "ZZZ"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("there is no establishment ZZZ"));

    let report =
        ok(&throughcare(d, &["report", "standards", "--period", "2025-04-01..2026-03-31", "--at", "2026-03-31"]));
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    let rows = report["standards"].as_array().unwrap();
    assert_eq!(rows.len(), 62);
    for r in rows {
        let parts: u64 =
            ["met_on_time", "met_late", "unmet", "open_overdue"].iter().map(|k| r[k].as_u64().unwrap()).sum();
        assert_eq!(parts, r["applicable"].as_u64().unwrap(), "{}", r["id"]);
    }
    let html = ok(&throughcare(
        d,
        &["report", "standards", "--period", "2025-04-01..2026-03-31", "--establishment", "AAB", "--format", "html"],
    ));
    assert!(html.contains("<caption>Compliance by standard</caption>") && html.contains("<th scope=\"row\">"));
    let bad = throughcare(d, &["report", "standards", "--period", "2026-03-31..2025-04-01"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("ends before it starts"));
}

#[test]
fn accounts_and_the_audit_trail_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&throughcare(d, &["seed", "--establishments", "2", "--people", "20", "--end", "2026-03-31"]));
    let added = ok(&throughcare(
        d,
        &["user", "add", "kw.smith", "--name", "Sam Smith", "--role", "key-worker", "--establishment", "AAB"],
    ));
    assert!(
        added.contains("added kw.smith as Key worker") && added.contains("password: "),
        "a generated password is printed once"
    );
    let bad_role =
        throughcare(d, &["user", "add", "x.y", "--name", "X", "--role", "wing-boss", "--establishment", "AAB"]);
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("unknown role code \"wing-boss\""));
    let no_est = throughcare(d, &["user", "add", "x.y", "--name", "X", "--role", "key-worker"]);
    assert!(String::from_utf8_lossy(&no_est.stderr).contains("give --establishment"));
    let twice = throughcare(
        d,
        &[
            "user",
            "add",
            "kw.smith",
            "--name",
            "Sam",
            "--role",
            "key-worker",
            "--establishment",
            "AAB",
            "--password",
            "another long password",
        ],
    );
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already an account"));
    assert!(
        ok(&throughcare(d, &["user", "reset-password", "kw.smith", "--password", "a brand new password"]))
            .contains("signed out everywhere")
    );
    let short = throughcare(d, &["user", "reset-password", "kw.smith", "--password", "short"]);
    assert!(!short.status.success());
    let token = ok(&throughcare(d, &["user", "token", "kw.smith"]));
    assert_eq!(token.trim().len(), 64);
    assert!(ok(&throughcare(d, &["user", "disable", "kw.smith"])).contains("API tokens revoked"));
    assert!(!throughcare(d, &["user", "token", "kw.smith"]).status.success(), "no tokens for a disabled account");
    let verified = ok(&throughcare(d, &["audit", "verify"]));
    assert!(verified.starts_with("the audit trail is intact: "), "{verified}");
}

#[test]
fn the_equality_report_flags_a_planted_disparity_records_findings_and_publishes_no_small_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&throughcare(
        d,
        &[
            "seed",
            "--people",
            "2500",
            "--establishments",
            "4",
            "--outcomes",
            "planted-use-of-force",
            "--end",
            "2026-03-31",
        ],
    ));
    let report = ["report", "equality", "--establishment", "estate", "--period", "2025-04-01..2026-03-31"];
    let first = throughcare(d, &[&report[..], &["--format", "json", "--at", "2026-04-30"]].concat());
    let json: serde_json::Value = serde_json::from_str(&ok(&first)).unwrap();
    assert!(String::from_utf8_lossy(&first.stderr).contains("new findings"));
    let force = json["measures"].as_array().unwrap().iter().find(|m| m["id"] == "use-of-force").unwrap();
    let black = force["breakdowns"].as_array().unwrap().iter().find(|b| b["id"] == "ethnic_group").unwrap()["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == "BLACK")
        .unwrap()
        .clone();
    assert_eq!(black["signal"], "flagged", "{black}");
    for field in ["numerator", "denominator", "rate", "rate_lower", "ratio", "ratio_lower", "ratio_upper", "p", "q"] {
        assert!(black[field].is_number(), "{field} is given: {black}");
    }
    assert_eq!(black["withheld"]["numerator"], false);

    // The published CSV never shows a count of 1 to 4, and marks what it withholds.
    let csv = ok(&throughcare(d, &[&report[..], &["--format", "csv", "--publish"]].concat()));
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let headers = rows.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (mut withheld, mut n) = (0, 0);
    for row in rows.records() {
        let row = row.unwrap();
        n += 1;
        assert_eq!(&row[col("intersectional")], "false", "intersections are not published");
        for c in ["numerator", "denominator"] {
            match &row[col(c)] {
                "[c]" => withheld += 1,
                "" => {}
                v => assert!(!(1..=4).contains(&v.parse::<u64>().unwrap()), "{c} {v} published: {row:?}"),
            }
        }
    }
    assert!(n > 500 && withheld > 0, "{n} rows, {withheld} withheld");

    // Run again: the same findings persist; a finding moves through explain or reform.
    let again = throughcare(d, &[&report[..], &["--format", "json"]].concat());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("0 new findings"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let list = ok(&throughcare(d, &["finding", "list", "--scope", "estate"]));
    assert!(list.contains("Use of force: Black, Black British, Caribbean or African (ethnic group)"), "{list}");
    let id =
        list.lines().find(|l| l.contains("(ethnic group)")).unwrap().split_whitespace().next().unwrap().to_string();
    let nobody = throughcare(d, &["finding", "explain", &id, "--evidence", "checked", "--by", "nobody.here"]);
    assert!(!nobody.status.success(), "a finding is answered only by a member of staff on record");
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("there is no member of staff nobody.here"));
    ok(&throughcare(d, &["user", "add", "analyst.one", "--name", "Ana Lyst", "--role", "analyst"]));
    let refused = throughcare(d, &["finding", "review", &id, "--outcome", "done", "--by", "analyst.one"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("cannot be marked reviewed"));
    ok(&throughcare(
        d,
        &[
            "finding",
            "reform",
            &id,
            "--actions",
            "Review every planned removal",
            "--review-by",
            "2099-01-31",
            "--by",
            "analyst.one",
        ],
    ));
    let shown = ok(&throughcare(d, &["finding", "show", &id]));
    assert!(
        shown.contains("status: Reform planned") && shown.contains("Reform planned, review by 2099-01-31"),
        "{shown}"
    );

    // Bad input: a clear message, nothing else.
    let unknown =
        throughcare(d, &["report", "equality", "--establishment", "ZZZ", "--period", "2025-04-01..2026-03-31"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("there is no establishment ZZZ"));
    let empty =
        throughcare(d, &["report", "equality", "--establishment", "estate", "--period", "2001-01-01..2001-12-31"]);
    assert!(String::from_utf8_lossy(&empty.stderr).contains("nobody was in custody anywhere in the estate"));
    assert!(empty.stdout.is_empty());
}
