"""The peer for bench-equality: DuckDB computes the same counts as the equality report from the
exported events file. Reads argv: events.csv, period start, period end (UTC instants); prints
JSON with the counts and its own timings."""
import json
import sys
import time

import duckdb

events, start, end = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect()
t0 = time.perf_counter()
con.execute(f"CREATE TABLE ev AS SELECT * FROM read_csv('{events}', header = true, all_varchar = true)")
loaded = time.perf_counter() - t0

t1 = time.perf_counter()
P0, P1 = f"TIMESTAMPTZ '{start}'", f"TIMESTAMPTZ '{end}'"
con.execute("SET TimeZone = 'UTC'")
con.execute("""
CREATE TABLE live AS
SELECT event_id, prison_number, kind, CAST(occurred_at AS TIMESTAMPTZ) AS t, details
FROM ev
WHERE kind <> 'entered_in_error'
  AND event_id NOT IN (SELECT supersedes FROM ev WHERE supersedes IS NOT NULL AND supersedes <> '')
""")
# Custody episodes: a reception until the next release, transfer, hospital transfer or reception.
con.execute("""
CREATE TABLE ep AS
SELECT r.prison_number, r.t AS start,
       (SELECT min(e.t) FROM live e
         WHERE e.prison_number = r.prison_number AND e.t > r.t
           AND e.kind IN ('release', 'transfer_out', 'transferred_to_hospital', 'reception')) AS stop
FROM live r WHERE r.kind = 'reception'
""")
con.execute(f"""
CREATE TABLE iv AS
SELECT prison_number, greatest(start, {P0}) AS a, least(coalesce(stop, {P1}), {P1}) AS b
FROM ep WHERE greatest(start, {P0}) < least(coalesce(stop, {P1}), {P1})
""")
con.execute("CREATE TABLE pop AS SELECT prison_number, min(a) AS first_moment FROM iv GROUP BY 1")
con.execute("CREATE TABLE inside AS SELECT e.* FROM live e JOIN iv ON iv.prison_number = e.prison_number AND e.t >= iv.a AND e.t < iv.b")
con.execute("""
CREATE TABLE decl AS
SELECT prison_number, t, json_extract_string(details, '$.characteristic') AS c, json_extract_string(details, '$.value') AS v
FROM live WHERE kind = 'characteristic_declared'
""")

def group_sql(c, at):
    # The value in force at the time; before the first declaration, the first one stands.
    value = f"""coalesce(
      (SELECT d.v FROM decl d WHERE d.prison_number = x.prison_number AND d.c = '{c}' AND d.t <= {at} ORDER BY d.t DESC LIMIT 1),
      (SELECT d.v FROM decl d WHERE d.prison_number = x.prison_number AND d.c = '{c}' ORDER BY d.t LIMIT 1),
      'NK')"""
    if c == 'ethnic_group':
        v = value.replace("'ethnic_group'", "'ethnicity'")
        return f"""CASE WHEN {v} IN ('NS', 'NK') THEN {v} ELSE
          CASE substr({v}, 1, 1) WHEN 'W' THEN 'WHITE' WHEN 'M' THEN 'MIXED' WHEN 'A' THEN 'ASIAN' WHEN 'B' THEN 'BLACK' ELSE 'OTHER' END END"""
    return value

MEASURES = {
    "use-of-force": "kind = 'use_of_force'",
    "self-harm": "kind = 'self_harm_incident'",
    "basic-level": "kind = 'incentive_level_changed' AND json_extract_string(details, '$.level') = 'BASIC'",
    "adjudication-proven": "kind = 'adjudication' AND json_extract(details, '$.proven')::BOOLEAN",
}
BREAKDOWNS = ["sex", "ethnic_group", "religion"]
out = {}
for m, cond in MEASURES.items():
    con.execute(f"""
    CREATE OR REPLACE TABLE first_t AS
    SELECT p.prison_number, p.first_moment, f.t AS first_t
    FROM pop p LEFT JOIN (SELECT prison_number, min(t) AS t FROM inside WHERE {cond} GROUP BY 1) f USING (prison_number)
    """)
    out[m] = {}
    for b in BREAKDOWNS:
        rows = con.execute(f"""
        SELECT g, count(first_t) AS numerator, count(*) AS denominator FROM (
          SELECT x.first_t, {group_sql(b, 'x.first_moment')} AS g FROM first_t x
        ) GROUP BY g ORDER BY g
        """).fetchall()
        out[m][b] = {g: [n, d] for g, n, d in rows}
# Incidents: each counted in the group in force when it happened.
out["self-harm-rate"] = {}
for b in BREAKDOWNS:
    rows = con.execute(f"""
    SELECT g, count(*) FROM (
      SELECT {group_sql(b, 'x.t')} AS g FROM inside x WHERE kind = 'self_harm_incident'
    ) GROUP BY g ORDER BY g
    """).fetchall()
    out["self-harm-rate"][b] = {g: [n, None] for g, n in rows}
queried = time.perf_counter() - t1
people = con.execute("SELECT count(*) FROM pop").fetchone()[0]
json.dump({"load_s": loaded, "query_s": queried, "people": people, "duckdb": duckdb.__version__, "counts": out}, sys.stdout)
