# Reads a JSON list of base64 file contents on stdin and prints, for each, how the AWS CLI
# reads it as a credentials file: {"sections": {name: {key: value}}} or {"error": kind}. It
# does what botocore.configloader.raw_config_parse does (a RawConfigParser with defaults), but
# keeps the exception's class, which botocore hides behind ConfigParseError.
import base64, configparser, json, os, sys, tempfile

out = []
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "credentials")
    for b in json.load(sys.stdin):
        with open(path, "wb") as f:
            f.write(base64.b64decode(b))
        cp = configparser.RawConfigParser()
        try:
            cp.read([path], encoding="utf-8")
            out.append({"sections": {s: {o: cp.get(s, o) for o in cp.options(s)} for s in cp.sections()}})
        except (configparser.Error, UnicodeDecodeError) as e:
            out.append({"error": type(e).__name__})
json.dump(out, sys.stdout)
