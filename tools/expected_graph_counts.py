#!/usr/bin/env python3
"""The node and edge counts per type that `lexgraph build` must produce from the shared
data, computed independently of Lexgraph with Python's csv/json modules and the join
rules written at the top of graphs/scotus.yaml, graphs/echr.yaml and
graphs/contracts.yaml. Writes Tests/Fixtures/graphs/expected_counts.json, which
GraphStoreTests compares a real build against.

Usage: python3 tools/expected_graph_counts.py [DATA_FOLDER]   (default ../shared/data)
"""
import collections, csv, json, os, re, sys

csv.field_size_limit(1 << 30)
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data")


def rows(path, delimiter=","):
    with open(os.path.join(data, path), newline="", encoding="utf-8") as f:
        quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
        return list(csv.DictReader(f, delimiter=delimiter, quoting=quoting))


def code(v):
    return v[:-2] if v.endswith(".0") else v


def slug(name):
    return re.sub(r"[^0-9a-z]+", "-", name.lower()).strip("-")


def trim(s):
    return s.strip().rstrip(";,").strip()


def scotus():
    nodes, edges = collections.Counter(), collections.Counter()
    courts = json.load(open(os.path.join(data, "graph-seeds/courts.json")))
    fowler = rows("scotus/citation_nodes.csv")
    scdb = rows("scotus/scdb_cases.csv")
    kg = rows("scotus/kg_case_law_edges.csv")
    oyez = [json.loads(l) for l in open(os.path.join(data, "scotus/cases.jsonl")) if l.strip()]
    canonical = {r["scdb_caseId"]: r["usid"] for r in fowler if r["scdb_caseId"]}
    by_fowler_id = {r["fowler_caseid"]: r["usid"] for r in fowler}

    def case_key(scdb_id):
        return "scotus:" + canonical[scdb_id] if scdb_id in canonical else "scotus:scdb:" + scdb_id

    cases = {"scotus:" + r["usid"] for r in fowler}
    cases |= {case_key(r["caseId"]) for r in scdb}
    for o in oyez:
        if o.get("scdb_caseId"):
            cases.add(case_key(o["scdb_caseId"]))
        elif o.get("usid"):
            cases.add("scotus:" + o["usid"])
        else:
            cases.add("scotus:oyez:%s" % o["oyez_id"])
    nodes["SupremeCourtCase"] = len(cases)
    court_codes = {code(r[c]) for r in scdb for c in ("caseSource", "caseOrigin") if r[c]}
    nodes["Court"] = len(courts) + len(court_codes)
    part_of = {(c["id"], c["parent"]) for c in courts if c.get("parent")}
    part_of |= {("issue" + code(r["issue"]), code(r["issueArea"])) for r in scdb if r["issue"] and r["issueArea"]}
    # SCDB court codes linked to courts-db (graphs/scotus/scdb_court_links.csv, written by
    # tools/link_scdb_courts.py): one SAME_AS or PART_OF edge per distinct row.
    with open(os.path.join(root, "graphs/scotus/scdb_court_links.csv"), newline="") as f:
        court_links = list(csv.DictReader(f))
    part_of |= {("scdb" + l["scdb_code"], l["court_id"]) for l in court_links if l["relation"] == "PART_OF"}
    edges["SAME_AS"] = len({(l["scdb_code"], l["court_id"]) for l in court_links if l["relation"] == "SAME_AS"})
    edges["PART_OF"] = len(part_of)
    edges["CITES"] = len({(r["citing_usid"], r["cited_usid"]) for r in rows("scotus/citation_edges.csv")})
    overrules = set()
    for r in fowler:
        for x in r["overruled"].split():
            if x != "0":
                overrules.add((by_fowler_id[x], r["usid"]))
        for x in r["overruling"].split():
            if x != "0":
                overrules.add((r["usid"], by_fowler_id[x]))
    edges["OVERRULES"] = len(overrules)
    nodes["PartyType"] = len({code(r[c]) for r in scdb for c in ("petitioner", "respondent") if r[c]})
    for edge, column in (("PETITIONER", "petitioner"), ("RESPONDENT", "respondent"), ("APPEALED_FROM", "caseSource"), ("ORIGINATED_IN", "caseOrigin")):
        edges[edge] = len({(case_key(r["caseId"]), code(r[column])) for r in scdb if r[column]})
    relations = {"has_law_type": ("LawType", "HAS_LAW_TYPE"), "applies_provision": ("Provision", "APPLIES"),
                 "mentions_minor_law": ("Statute", "CITES_STATUTE"), "has_issue": ("Issue", "HAS_ISSUE"),
                 "has_issue_area": ("IssueArea", "HAS_ISSUE"), "decided_on_authority": ("DecisionAuthority", "DECIDED_ON_AUTHORITY"),
                 "majority_opinion_by": ("Justice", "AUTHORED_BY"), "natural_court": ("NaturalCourt", "DECIDED_DURING")}
    pairs = collections.defaultdict(set)
    for relation, (node_type, edge_type) in relations.items():
        selected = [r for r in kg if r["relation"] == relation]
        nodes[node_type] += len({r["object"] for r in selected})
        pairs[edge_type] |= {(case_key(r["scdb_caseId"]), r["object"]) for r in selected}
    for edge_type, p in pairs.items():
        edges[edge_type] = len(p)
    return nodes, edges


def echr():
    nodes, edges = collections.Counter(), collections.Counter()
    articles = json.load(open(os.path.join(data, "statutes/echr_articles_en.json")))
    nodes["Statute"] = len({a["instrument"] for a in articles})
    nodes["Article"] = len({a["id"] for a in articles})
    edges["PART_OF"] = nodes["Article"]
    case_nodes = rows("ecthr-housing/visualization_annotations_cases_case_nodes.csv")
    form = [r for r in rows("ecthr-housing/data_annotations_form-responses.csv") if r["ECLI number"].strip()]
    cases = {trim(r["Label"]) for r in case_nodes} | {trim(r["ECLI number"]) for r in form}
    nodes["ECtHRJudgment"] = len(cases)  # ECtHRCase before ontology update 0002
    nodes["State"] = len({slug(r["Member State involved"]) for r in form if r["Member State involved"].strip()})
    edges["RESPONDENT"] = len({(trim(r["ECLI number"]), slug(r["Member State involved"])) for r in form if r["Member State involved"].strip()})
    edges["APPLIES"] = len({(trim(r["Source Label"]), r["Target Label"]) for r in rows("ecthr-housing/visualization_annotations_articles_article_edges.csv")})
    edges["CITES"] = len({(trim(r["Source Label"]), trim(r["Target Label"])) for r in rows("ecthr-housing/visualization_annotations_cases_case_edges.csv")})
    return nodes, edges


def contracts():
    nodes, edges = collections.Counter(), collections.Counter()
    cuad = rows("clauses/cuad.tsv", "\t")
    corpus = rows("clauses/clause_types_395.csv")
    unfair = rows("clauses/unfair_tos.tsv", "\t")
    ledgar = rows("clauses/ledgar_100.tsv", "\t")
    nodes["ClauseType"] = (len({slug(r["category"]) for r in cuad}) + len({slug(r["clause_type"]) for r in corpus})
                           + len({slug(r["label"]) for r in unfair}) + len({slug(r["label"]) for r in ledgar}))
    nodes["Clause"] = len(cuad) + len(corpus) + len(unfair) + len(ledgar)
    edges["INSTANCE_OF"] = sum(1 for r in cuad if r["label"] == "Yes") + len(corpus) + len(unfair) + len(ledgar)
    with open(os.path.join(root, "graphs/contracts/clause_type_links.csv"), newline="") as f:
        links = list(csv.DictReader(f))
    for relation in ("BROADER", "RELATED"):
        edges[relation] = len({(l["from_source"], slug(l["from_name"]), l["to_source"], slug(l["to_name"])) for l in links if l["relation"] == relation})
    # Clause families (graphs/contracts/clause_families.csv, tools/make_clause_families.py):
    # one ClauseFamily per distinct family, one IN_FAMILY edge per distinct type.
    with open(os.path.join(root, "graphs/contracts/clause_families.csv"), newline="") as f:
        families = list(csv.DictReader(f))
    nodes["ClauseFamily"] = len({r["family"] for r in families})
    edges["IN_FAMILY"] = len({(slug(r["type"]), r["family"]) for r in families})
    with open(os.path.join(root, "graphs/contracts/contract_type_names.csv"), newline="") as f:
        nodes["ContractType"] = len({r["contract_type"] for r in csv.DictReader(f)})
    with open(os.path.join(root, "graphs/contracts/contract_types.csv"), newline="") as f:
        edges["EXPECTS"] = len({(r["contract_type"], slug(r["clause_type"])) for r in csv.DictReader(f)})
    return nodes, edges


out = {}
for name, fn in (("scotus", scotus), ("echr", echr), ("contracts", contracts)):
    n, e = fn()
    out[name] = {"nodes": dict(sorted(n.items())), "edges": dict(sorted(e.items()))}
path = os.path.join(root, "Tests/Fixtures/graphs/expected_counts.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
print(json.dumps(out, indent=1))
