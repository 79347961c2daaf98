# A minimal Lambda Runtime API loop for the seed's handler, doing what the managed Python
# runtime does: import the handler module at init (boto3 included), then GET .../next, call
# main(event, context), POST .../response (or .../error). Standard library only.
import json
import os
import sys
import traceback
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seed_handler  # noqa: E402  (init: this is the cold-start import cost)

base = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"

while True:
    with urllib.request.urlopen(base + "next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(r.read() or b"null")
    try:
        out = seed_handler.main(event, None)
        url, body = base + rid + "/response", json.dumps(out).encode()
    except Exception as e:  # the runtime reports the error and keeps serving
        url = base + rid + "/error"
        body = json.dumps({"errorMessage": str(e), "errorType": type(e).__name__,
                           "stackTrace": traceback.format_exc().splitlines()}).encode()
    urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST")).read()
