#!/usr/bin/env python3
"""The organization audit people write today: walk every account in turn with boto3.

organizations list_accounts (paginated); for each ACTIVE account other than the caller's own,
sts assume_role into the member role (ROLE, default KeywardenMember); then, as
bench/audit_boto3.py does in one account, list_users (paginated), list_access_keys and
get_access_key_last_used for each key, flagging active keys older than 90 days or unused for
45. One CSV row per key, the account first. It is the baseline bench/org_audit.sh measures
keywarden audit --org against; endpoint and credentials come from the environment.
"""
import csv
import datetime
import os
import sys

import boto3


def audit_account(session, account, now, out):
    iam = session.client("iam")
    for page in iam.get_paginator("list_users").paginate():
        for user in page["Users"]:
            name = user["UserName"]
            for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
                last = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
                used = last.get("AccessKeyLastUsed", {}).get("LastUsedDate")
                findings = []
                if key["Status"] == "Active":
                    if now - key["CreateDate"] >= datetime.timedelta(days=90):
                        findings.append("IAM.3")
                    if now - (used or key["CreateDate"]) >= datetime.timedelta(days=45):
                        findings.append("IAM.22")
                out.writerow([account, name, key["AccessKeyId"], key["Status"], key["CreateDate"].isoformat(),
                              used.isoformat() if used else "never", " ".join(findings)])


def main():
    role = os.environ.get("ROLE", "KeywardenMember")
    now = datetime.datetime.now(datetime.timezone.utc)
    out = csv.writer(sys.stdout)
    out.writerow(["account", "user", "access_key_id", "status", "created", "last_used", "findings"])
    me = boto3.client("sts").get_caller_identity()["Account"]
    sts = boto3.client("sts")
    for page in boto3.client("organizations").get_paginator("list_accounts").paginate():
        for acct in page["Accounts"]:
            if acct.get("State", acct.get("Status")) != "ACTIVE":
                continue
            aid = acct["Id"]
            if aid == me:
                audit_account(boto3.Session(), aid, now, out)
                continue
            c = sts.assume_role(RoleArn=f"arn:aws:iam::{aid}:role/{role}", RoleSessionName="audit")["Credentials"]
            audit_account(boto3.Session(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                                        aws_session_token=c["SessionToken"]), aid, now, out)


if __name__ == "__main__":
    main()
