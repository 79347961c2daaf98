# One long-lived botocore process answering the tests' questions about what keywarden did:
# the same library the AWS CLI is built on, without a Python start-up (1-4 s) per question.
# Each line on stdin is {"env": {...}, "service": "iam", "op": "list_access_keys", "params": {...}};
# each line on stdout is {"ok": result} or {"error": {"code": ..., "message": ...}}.
import json
import sys

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

clients = {}


def client(env, service):
    key = (service, env.get("AWS_ENDPOINT_URL"), env.get("AWS_ACCESS_KEY_ID"),
           env.get("AWS_SECRET_ACCESS_KEY"), env.get("AWS_DEFAULT_REGION"))
    c = clients.get(key)
    if c is None:
        s = botocore.session.Session()
        c = s.create_client(
            service,
            endpoint_url=env.get("AWS_ENDPOINT_URL"),
            region_name=env.get("AWS_DEFAULT_REGION") or "us-east-1",
            aws_access_key_id=env.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY"),
            aws_session_token=env.get("AWS_SESSION_TOKEN") or None,
            config=Config(retries={"max_attempts": 1}),
        )
        clients[key] = c
    return c


for line in sys.stdin:
    req = json.loads(line)
    try:
        c = client(req["env"], req["service"])
        out = getattr(c, req["op"])(**req.get("params", {}))
        out.pop("ResponseMetadata", None)
        resp = {"ok": out}
    except ClientError as e:
        err = e.response.get("Error", {})
        resp = {"error": {"code": err.get("Code", ""), "message": err.get("Message", "")}}
    except Exception as e:  # a question the witness cannot ask is the test's bug: say it
        resp = {"error": {"code": type(e).__name__, "message": str(e)}}
    sys.stdout.write(json.dumps(resp, default=str) + "\n")
    sys.stdout.flush()
