"""Validates FHIR bundles with fhir.resources (R4B models): each argument is a JSON file.

Prints one line per file: "ok" or the validation error. fhir.resources checks structure,
cardinality and primitive types; it does not check UK Core profiles or terminology, which the
Rust tests check themselves (research/clinical.md section 4).
"""
import json
import sys

from fhir.resources.R4B.bundle import Bundle

for path in sys.argv[1:]:
    with open(path) as f:
        data = json.load(f)
    try:
        Bundle.model_validate(data)
        print("ok")
    except Exception as e:  # the message names the element at fault
        print("invalid: " + " ".join(str(e).split()))
