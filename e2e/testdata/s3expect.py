"""Checks shared by the boto3 scripts: each records a failure and goes on,
so one run reports everything wrong; a script exits non-zero if failures
is not empty."""

from botocore.exceptions import ClientError

failures = []


def expect(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)
        return
    print("ok:", msg)


def expect_error(code, status, fn, *args, **kwargs):
    """Calls fn and expects S3 error code with HTTP status; returns the error."""
    try:
        fn(*args, **kwargs)
    except ClientError as e:
        got = e.response["Error"]["Code"]
        got_status = e.response["ResponseMetadata"]["HTTPStatusCode"]
        expect(got == code and got_status == status, f"error {code} {status} (got {got} {got_status})")
        return e
    expect(False, f"error {code} (call succeeded)")
    return None
