"""A minimal client of an OpenAI-compatible chat-completions endpoint.

Used by judge-based metrics such as VideoRefer-Bench-D. It depends on the
standard library only, so no SDK is needed to evaluate.
"""
import http.client
import json
import logging
import os
import time
import urllib.error
import urllib.request
from typing import List, Optional

from mmengine.logging import print_log

#: HTTP statuses that no retry can mend: a wrong key, model or URL.
FATAL_STATUS = (401, 403, 404)

# Failures of one request worth another try: the network (OSError covers
# URLError and timeouts), a broken HTTP exchange and a malformed reply.
_TRANSIENT_ERRORS = (OSError, http.client.HTTPException, ValueError, KeyError,
                     IndexError, TypeError)


def _retryable(status: int) -> bool:
    """Timeouts, conflicts, rate limits and server errors may pass."""
    return status in (408, 409, 429) or status >= 500


def _error_text(err: urllib.error.HTTPError) -> str:
    """The status and the server's message of a failed request."""
    try:
        body = err.read().decode('utf-8', errors='replace')
    except OSError:
        body = ''
    try:
        message = json.loads(body)['error']['message']
    except (ValueError, KeyError, TypeError):
        message = body.strip()[:200] or err.reason
    return f'HTTP {err.code}: {message}'


class OpenAIChatClient:
    """Send chat messages to ``<base_url>/chat/completions`` and return text.

    The request body holds the options of the VideoRefer-Bench-D judge
    script (``1.eval_gpt_4o_mini.py``): ``temperature``, ``max_tokens``,
    ``top_p``, ``frequency_penalty=0``, ``presence_penalty=0`` and
    ``stop=None`` (sent as ``null``, as its ``openai`` client sends it).
    A request that fails on the network, with a malformed or empty reply or
    with HTTP 408, 409, 429 or 5xx is tried again after ``retry_interval``
    seconds, doubled at each retry. Other HTTP errors are not retried: 401,
    403 and 404 (a wrong key, model or URL, which would fail every request)
    raise, the others give up on this request.

    Args:
        model (str): Model name, e.g. ``'gpt-4o-mini'`` or ``'gpt-4o'``.
        base_url (str): API root. Defaults to ``'https://api.openai.com/v1'``.
        api_key_env (str): Environment variable holding the API key, read on
            every request (never stored in configs); no ``Authorization``
            header is sent when it is unset or empty (a local server may
            need none). Defaults to ``'OPENAI_API_KEY'``.
        max_retries (int): Attempts per request. Defaults to 5.
        retry_interval (float): Seconds before the first retry. Defaults
            to 1.
        timeout (float): Seconds to wait for one response. Defaults to 60.
        temperature (float): Defaults to 0.7.
        max_tokens (int): Defaults to 800.
        top_p (float): Defaults to 0.95.
    """

    def __init__(self,
                 model: str,
                 base_url: str = 'https://api.openai.com/v1',
                 api_key_env: str = 'OPENAI_API_KEY',
                 max_retries: int = 5,
                 retry_interval: float = 1.,
                 timeout: float = 60.,
                 temperature: float = 0.7,
                 max_tokens: int = 800,
                 top_p: float = 0.95) -> None:
        if max_retries < 1:
            raise ValueError(f'max_retries must be >= 1, got {max_retries}')
        self.url = base_url.rstrip('/') + '/chat/completions'
        self.api_key_env = api_key_env
        self.max_retries = max_retries
        self.retry_interval = retry_interval
        self.timeout = timeout
        self.sampling = dict(
            model=model,
            temperature=temperature,
            max_tokens=max_tokens,
            top_p=top_p,
            frequency_penalty=0,
            presence_penalty=0,
            stop=None)

    def chat(self, messages: List[dict]) -> Optional[str]:
        """Ask for one completion, retrying as described above.

        Args:
            messages (list[dict]): Chat messages (``role`` / ``content``).

        Returns:
            str | None: The reply text, or None when the request failed.

        Raises:
            RuntimeError: When the endpoint answers HTTP 401, 403 or 404.
        """
        for attempt in range(1, self.max_retries + 1):
            if attempt > 1:
                time.sleep(self.retry_interval * 2**(attempt - 2))
            retry = True
            try:
                reply = self._post(messages)
            except urllib.error.HTTPError as err:
                reason = _error_text(err)
                if err.code in FATAL_STATUS:
                    raise RuntimeError(
                        f'The judge endpoint {self.url} answered {reason} '
                        f'(check the model {self.sampling["model"]!r}, the '
                        f'URL and the API key in ${self.api_key_env})'
                    ) from err
                retry = _retryable(err.code)
            except _TRANSIENT_ERRORS as err:
                reason = repr(err)
            else:
                if reply:
                    return reply
                reason = 'an empty reply'
            print_log(
                f'Judge request {attempt}/{self.max_retries} to {self.url} '
                f'failed: {reason}',
                logger='current',
                level=logging.WARNING)
            if not retry:
                break
        return None

    def _post(self, messages: List[dict]) -> str:
        """One HTTP request; returns the first choice's message content."""
        body = json.dumps(dict(self.sampling, messages=messages))
        headers = {'Content-Type': 'application/json'}
        api_key = os.environ.get(self.api_key_env)
        if api_key:
            headers['Authorization'] = f'Bearer {api_key}'
        request = urllib.request.Request(
            self.url,
            data=body.encode('utf-8'),
            headers=headers,
            method='POST')
        with urllib.request.urlopen(request, timeout=self.timeout) as resp:
            payload = json.loads(resp.read().decode('utf-8'))
        return payload['choices'][0]['message']['content']
