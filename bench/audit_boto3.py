#!/usr/bin/env python3
"""The audit people write today: walk every user one by one with boto3.

list_users (paginated), then list_access_keys and get_access_key_last_used for each key, and
flag active keys older than 90 days or unused for 45. It prints one CSV row per key. It is the
baseline bench/audit.sh measures keywarden against; the endpoint and credentials come from the
environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...).
"""
import csv
import datetime
import sys

import boto3


def main():
    iam = boto3.client("iam")
    now = datetime.datetime.now(datetime.timezone.utc)
    out = csv.writer(sys.stdout)
    out.writerow(["user", "access_key_id", "status", "created", "last_used", "findings"])
    for page in iam.get_paginator("list_users").paginate():
        for user in page["Users"]:
            name = user["UserName"]
            keys = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
            for key in keys:
                last = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
                used = last.get("AccessKeyLastUsed", {}).get("LastUsedDate")
                findings = []
                if key["Status"] == "Active":
                    if now - key["CreateDate"] >= datetime.timedelta(days=90):
                        findings.append("IAM.3")
                    if now - (used or key["CreateDate"]) >= datetime.timedelta(days=45):
                        findings.append("IAM.22")
                out.writerow([name, key["AccessKeyId"], key["Status"], key["CreateDate"].isoformat(),
                              used.isoformat() if used else "never", " ".join(findings)])


if __name__ == "__main__":
    main()
