#!/usr/bin/python3
"""Checks Kubernetes YAML against the API's own models, with no cluster.

    kube_schema_check.py FILE...      (`-` reads standard input)

The models are those of Debian's python3-kubernetes (the official client,
generated from the API's OpenAPI document). For every document:
  - apiVersion names a group/version the client serves, and kind an object
    that group/version can create;
  - every field name exists in its model, spelled as the API spells it;
  - every value has its model's type (str, int, bool, list, map, object);
  - every field the model requires is there.
Prints one line per problem, `FILE: KIND/NAME: PATH: PROBLEM`, and exits 1
if there is any, else prints `ok: N documents` and exits 0. A YAML syntax
error is a problem too.
`kubectl apply --dry-run=client` would need an API server for discovery
even with --validate=false; this needs none (docs/kubernetes.md).
"""
import re
import sys

import yaml
from kubernetes import client
from kubernetes.client.configuration import Configuration

SCALARS = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}
CONFIG = Configuration()


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def required_fields(cls):
    """The attributes whose setter refuses None: the model's required fields."""
    needed = []
    for attr in cls.openapi_types:
        obj = cls.__new__(cls)
        obj.local_vars_configuration = CONFIG
        try:
            setattr(obj, attr, None)
        except ValueError:
            needed.append(attr)
    return needed


def check_value(value, type_name, path, problems):
    if type_name == "object":          # IntOrString and free-form fields
        return
    if type_name == "datetime":
        type_name = "str"
    if type_name.startswith("list["):
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list, got {type(value).__name__}")
            return
        for i, item in enumerate(value):
            check_value(item, type_name[5:-1], f"{path}[{i}]", problems)
        return
    if type_name.startswith("dict("):
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a map, got {type(value).__name__}")
            return
        inner = type_name[type_name.index(",") + 1:-1].strip()
        for key, item in value.items():
            check_value(item, inner, f"{path}.{key}", problems)
        return
    if type_name in SCALARS:
        ok = isinstance(value, SCALARS[type_name]) and not (type_name != "bool" and isinstance(value, bool))
        if not ok:
            problems.append(f"{path}: expected {type_name}, got {type(value).__name__} {value!r}")
        return
    check_model(value, getattr(client, type_name), path, problems)


def check_model(doc, cls, path, problems):
    if not isinstance(doc, dict):
        problems.append(f"{path}: expected an object ({cls.__name__}), got {type(doc).__name__}")
        return
    by_json = {json: attr for attr, json in cls.attribute_map.items()}
    for key, value in doc.items():
        if key not in by_json:
            problems.append(f"{path}.{key}: unknown field of {cls.__name__}")
        elif value is not None:
            check_value(value, cls.openapi_types[by_json[key]], f"{path}.{key}", problems)
    for attr in required_fields(cls):
        if doc.get(cls.attribute_map[attr]) is None:
            problems.append(f"{path}.{cls.attribute_map[attr]}: required by {cls.__name__}, missing")


def model_of(doc):
    """The model class of a document, or an error message."""
    api_version, kind = doc.get("apiVersion"), doc.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None, "apiVersion and kind are required strings"
    group, _, version = api_version.rpartition("/")
    group_name = "".join(p.capitalize() for p in group.split(".") if p not in ("k8s", "io")) or "Core"
    api = getattr(client, f"{group_name}{version.capitalize()}Api", None)
    if api is None:
        return None, f"apiVersion {api_version}: no such group/version"
    if not any(hasattr(api, f"create{scope}_{snake(kind)}") for scope in ("", "_namespaced")):
        return None, f"kind {kind} is not served by {api_version}"
    return getattr(client, f"{version.capitalize()}{kind}"), None


def main(paths):
    problems, count = [], 0
    for path in paths:
        try:
            text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
            docs = [d for d in yaml.safe_load_all(text) if d is not None]
        except (OSError, yaml.YAMLError) as err:
            problems.append(f"{path}: {err}".replace("\n", " "))
            continue
        for doc in docs:
            count += 1
            name = (doc.get("metadata") or {}).get("name", "?") if isinstance(doc, dict) else "?"
            where = f"{path}: {doc.get('kind', '?') if isinstance(doc, dict) else '?'}/{name}"
            if not isinstance(doc, dict):
                problems.append(f"{where}: a document must be a mapping")
                continue
            cls, err = model_of(doc)
            if err:
                problems.append(f"{where}: {err}")
                continue
            found = []
            check_model(doc, cls, "", found)
            problems += [f"{where}: {p.lstrip('.')}" for p in found]
    for p in problems:
        print(p)
    if not problems:
        print(f"ok: {count} documents")
    return 1 if problems or count == 0 else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print("usage: kube_schema_check.py FILE... (- for stdin)", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
