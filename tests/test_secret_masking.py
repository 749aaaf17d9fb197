"""``mask_secrets``: no credential of a URL, query or key survives it, and text without one is unchanged;
the log record factory masks every record, tracebacks included."""

from __future__ import annotations

import logging
import os
from urllib.parse import quote

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tools.secret_masking import install_log_masking, mask_secrets

EXAMPLES = int(os.environ.get("OPSBOT_FUZZ_EXAMPLES", "50"))
SCHEMES = ["https", "http", "postgresql", "postgresql+psycopg", "sqlite", "redis"]
SECRET_PARAMS = ["token", "access_token", "api_key", "apikey", "client_secret", "password", "X-Amz-Signature"]
PLAIN_PARAMS = ["page", "limit", "cursor", "location_id", "begin_time", "sort"]

hosts = st.from_regex(r"[a-z][a-z0-9-]{0,12}(\.[a-z]{2,6}){0,2}(:[0-9]{2,5})?", fullmatch=True)
paths = st.from_regex(r"(/[A-Za-z0-9._-]{0,10}){0,3}", fullmatch=True)
users = st.from_regex(r"[A-Za-z0-9._-]{1,12}", fullmatch=True)
# Any printable password, percent-encoded as a URL carries it; at least 8 characters so that the secret
# cannot turn up by chance elsewhere in the generated text.
passwords = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=8, max_size=24
).map(lambda raw: quote(raw, safe=""))
# Secrets carry an upper-case Z, which no host, path or plain value does, so "the secret is gone" is exact.
tokens = st.from_regex(r"Z[A-Za-z0-9_\-.~]{11,39}", fullmatch=True)
api_keys = st.from_regex(r"Z[A-Za-z0-9_-]{11,39}", fullmatch=True)  # as sk-ant-, xoxb- and xapp- keys are
values = st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True)
prose = st.from_regex(r"[A-Za-z ,.:()\-]{0,40}", fullmatch=True)


@settings(max_examples=EXAMPLES, deadline=None)
@given(prose, st.sampled_from(SCHEMES), users, passwords, hosts, paths, prose)
def test_a_password_in_a_url_is_masked_and_the_user_and_host_kept(
    before, scheme, user, password, host, path, after
):
    url = f"{scheme}://{user}:{password}@{host}{path}"
    masked = mask_secrets(f"{before} {url} {after}")
    assert password not in masked
    assert masked == f"{before} {scheme}://{user}:***@{host}{path} {after}"


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.sampled_from(SCHEMES), tokens, hosts, paths)
def test_a_lone_token_before_the_host_is_masked(scheme, token, host, path):
    masked = mask_secrets(f"cannot reach {scheme}://{token}@{host}{path}: refused")
    assert token not in masked and masked == f"cannot reach {scheme}://***@{host}{path}: refused"


@settings(max_examples=EXAMPLES, deadline=None)
@given(hosts, paths, st.sampled_from(SECRET_PARAMS), tokens, st.sampled_from(PLAIN_PARAMS), values)
def test_secret_query_parameters_are_masked_and_plain_ones_kept(host, path, name, token, plain, value):
    masked = mask_secrets(f"GET https://{host}{path}?{plain}={value}&{name}={token}#top failed")
    assert token not in masked
    assert masked == f"GET https://{host}{path}?{plain}={value}&{name}=***#top failed"


@settings(max_examples=EXAMPLES, deadline=None)
@given(prose, st.sampled_from(SCHEMES), hosts, paths, st.sampled_from(PLAIN_PARAMS), values, prose)
def test_text_without_credentials_is_unchanged(before, scheme, host, path, plain, value, after):
    text = f"{before} {scheme}://{host}{path}?{plain}={value} {after} user@example.com"
    assert mask_secrets(text) == text


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.sampled_from(["sk-ant-api03-", "xoxb-", "xapp-", "Bearer "]), api_keys, tokens)
def test_api_key_shapes_and_known_values_are_masked(prefix, key, known):
    assume(key not in known and known not in key)
    masked = mask_secrets(f"key {prefix}{key} and {known}!", known=[known])
    assert key not in masked and known not in masked
    assert masked == f"key {prefix.removesuffix('api03-')}*** and ***!"


def test_every_log_record_is_masked_with_its_traceback(caplog):
    install_log_masking(["sq-token-0123456789"])
    log = logging.getLogger("opsbot.test")
    try:
        raise RuntimeError("connect to postgresql://ops:hunter2hunter2@db/opsbot failed")
    except RuntimeError:
        log.exception(
            "sync with %s (token %s)", "https://u:p4ssw0rd99@api.example.com", "sq-token-0123456789"
        )
    (record,) = caplog.records
    assert record.getMessage() == "sync with https://u:***@api.example.com (token ***)"
    assert "hunter2hunter2" not in record.exc_text and "postgresql://ops:***@db/opsbot" in record.exc_text
    assert "hunter2hunter2" not in caplog.text and "p4ssw0rd99" not in caplog.text
