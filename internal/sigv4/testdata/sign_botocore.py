"""Sign requests with botocore's SigV4Auth for the Go cross-check test.

Reads JSON from stdin:
  {"access_key", "secret_key", "token" (optional), "region", "service",
   "requests": [{"method", "url", "headers": {...}, "params": {...} (optional),
                 "body"}]}
Writes JSON to stdout: a list of {"method", "url", "headers", "body"} with the
request exactly as botocore would send it (url includes encoded params).
"""

import json
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    spec = json.load(sys.stdin)
    creds = Credentials(spec["access_key"], spec["secret_key"], spec.get("token"))
    out = []
    for r in spec["requests"]:
        req = AWSRequest(
            method=r["method"],
            url=r["url"],
            headers=r.get("headers") or {},
            params=r.get("params") or {},
            data=r.get("body", "").encode("utf-8"),
        )
        SigV4Auth(creds, spec["service"], spec["region"]).add_auth(req)
        prepared = req.prepare()
        out.append(
            {
                "method": prepared.method,
                "url": prepared.url,
                "headers": dict(prepared.headers.items()),
                "body": r.get("body", ""),
            }
        )
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
