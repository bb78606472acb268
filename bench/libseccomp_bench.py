#!/usr/bin/python3
"""libseccomp's side of `npm run bench`: builds the same policies with libseccomp (Debian's
python3-seccomp) and reports the BPF it exports and how long building took.

Run with /usr/bin/python3. Reads one JSON request on stdin:
  {"cases": [{"id": ..., "optimize": 1 | 2,
              "docker": {"profile": {...}, "caps": [...], "kernel": [major, minor], "host"?: {...}}}  (an OCI profile, as Docker and runc apply it on that host, default amd64)
           | {"id": ..., "optimize": 1 | 2,
              "rules": {"default": <u32>, "rules": [{"nr": n, "action": <u32>, "args": [[index, op, "value", "valueTwo"], ...]}]}}]}
  (values as decimal strings: they are 64-bit)
Writes {"results": [{"id", "bpf": "<hex>", "seconds": <build and export time>} | {"id", "error"}]}.
`optimize` 2 is libseccomp's binary-tree layout (SCMP_FLTATR_CTL_OPTIMIZE=2), 1 its default.

`libseccomp_bench.py --compile PROFILE.json OUT.bpf MAJOR.MINOR CAP...` compiles one Docker profile
to a file, as a runtime would (binary tree), for timing a cold compile from the command line.
"""
import json
import os
import sys
import tempfile
import time

import seccomp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "oci"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "support"))
import libseccomp_reference as reference  # noqa: E402  (Docker's and runc's profile handling)
from libseccomp_policy import OPS, action  # noqa: E402  (operators; a return value as a python3-seccomp action)

def build_rules(spec, optimize):
    f = seccomp.SyscallFilter(action(spec["default"]))
    f.set_attr(seccomp.Attr.CTL_OPTIMIZE, optimize)
    for rule in spec["rules"]:
        conds = [seccomp.Arg(i, OPS[op], int(v), int(v2)) for i, op, v, v2 in rule["args"]]
        f.add_rule(action(rule["action"]), rule["nr"], *conds)
    return f


def build_docker(spec, optimize):
    host = spec.get("host") or reference.AMD64
    target = getattr(seccomp.Arch, host["arch"])
    archs, calls = reference.docker_setup(spec["profile"], set(spec.get("caps") or []), spec.get("kernel") or [6, 1], host)
    profile = spec["profile"]
    default = reference.runc_action(profile.get("defaultAction"), profile.get("defaultErrnoRet"))
    # the host's arch and every architecture the profile lists for it, as runc's filter has them
    f, _ = reference.runc_filter(default, target, archs)
    f.set_attr(seccomp.Attr.CTL_OPTIMIZE, optimize)
    for call in calls:
        act = reference.runc_action(call.get("action"), call.get("errnoRet"))
        if act == default:
            continue
        args = call.get("args") or []
        for name in call["names"]:
            # runc resolves on the native arch; libseccomp adds the rule to each arch by name
            if seccomp.resolve_syscall(seccomp.Arch.NATIVE, name) == -1:
                continue
            nr = name
            conds = [seccomp.Arg(a["index"], reference.OPS[a["op"]], a.get("value", 0), a.get("valueTwo", 0)) for a in args]
            indexes = [a["index"] for a in args]
            for group in ([[c] for c in conds] if len(set(indexes)) < len(indexes) else [conds]):
                f.add_rule(act, nr, *group)
    return f


def main():
    request = json.load(sys.stdin)
    results = []
    for case in request["cases"]:
        try:
            start = time.perf_counter()
            f = build_docker(case["docker"], case["optimize"]) if "docker" in case else build_rules(case["rules"], case["optimize"])
            with tempfile.TemporaryFile() as out:
                f.export_bpf(out)
                seconds = time.perf_counter() - start
                out.seek(0)
                results.append({"id": case["id"], "bpf": out.read().hex(), "seconds": seconds})
        except Exception as error:  # reported per case; the bench prints it
            results.append({"id": case["id"], "error": str(error)})
    json.dump({"results": results}, sys.stdout)


def compile_profile(profile_path, out_path, kernel, caps):
    with open(profile_path) as source:
        profile = json.load(source)
    major, minor = kernel.split(".")
    f = build_docker({"profile": profile, "caps": caps, "kernel": [int(major), int(minor)]}, 2)
    with open(out_path, "wb") as out:
        f.export_bpf(out)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--compile"]:
        compile_profile(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    else:
        main()
