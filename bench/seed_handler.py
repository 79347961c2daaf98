# The seed's Lambda handler (seeds/000_…, handler.py), unchanged but for comments: deactivate one
# access key named by two environment variables with boto3. bench/lambda.sh times it as Lambda's
# Python runtime would run it, next to keywarden's seed mode doing the same job.
import json
import os
import boto3


def deactivate_access_key(access_key):
    responce = access_key.deactivate()
    print(responce)
    HTTPStatusCode = responce['ResponseMetadata']['HTTPStatusCode']
    print("HTTPStatusCode:")
    print(HTTPStatusCode)
    accessKeyId = access_key.access_key_id
    print(accessKeyId + " is deactivated.")
    return


def main(event, context):
    # from the environment
    targetAccessKeyUserName = os.environ['TARGET_ACCESS_KEY_USER_NAME']
    targetAccessKeyId = os.environ['TARGET_ACCESS_KEY_ID']
    # the IAM resource
    iamResource = boto3.resource('iam')
    access_key = iamResource.AccessKey(targetAccessKeyUserName, targetAccessKeyId)
    # deactivate the key
    deactivate_access_key(access_key)
    return
