"""A minimal client of an OpenAI-compatible chat-completions endpoint.

Used by judge-based metrics such as VideoRefer-Bench-D. It depends on the
standard library only, so no SDK is needed to evaluate.
"""
import json
import os
import urllib.error
import urllib.request
from typing import List, Optional

from mmengine.logging import print_log


class OpenAIChatClient:
    """Send chat messages to ``<base_url>/chat/completions`` and return text.

    The sampling settings default to those of the VideoRefer-Bench-D judge.

    Args:
        model (str): Model name, e.g. ``'gpt-4o-mini'`` or ``'gpt-4o'``.
        base_url (str): API root. Defaults to ``'https://api.openai.com/v1'``.
        api_key_env (str): Environment variable holding the API key, read on
            every request (never stored in configs). Defaults to
            ``'OPENAI_API_KEY'``.
        max_retries (int): Attempts per request. Defaults to 5.
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
                 timeout: float = 60.,
                 temperature: float = 0.7,
                 max_tokens: int = 800,
                 top_p: float = 0.95) -> None:
        self.url = base_url.rstrip('/') + '/chat/completions'
        self.api_key_env = api_key_env
        self.max_retries = max_retries
        self.timeout = timeout
        self.sampling = dict(
            model=model,
            temperature=temperature,
            max_tokens=max_tokens,
            top_p=top_p,
            frequency_penalty=0,
            presence_penalty=0)

    def chat(self, messages: List[dict]) -> Optional[str]:
        """Ask for one completion, retrying on network and format errors.

        Args:
            messages (list[dict]): Chat messages (``role`` / ``content``).

        Returns:
            str | None: The reply text, or None when every attempt failed.
        """
        for attempt in range(1, self.max_retries + 1):
            try:
                reply = self._post(messages)
            except (urllib.error.URLError, TimeoutError, ValueError, KeyError,
                    IndexError) as err:
                print_log(
                    f'Judge request {attempt}/{self.max_retries} failed: '
                    f'{err!r}',
                    logger='current')
                continue
            if reply:
                return reply
        return None

    def _post(self, messages: List[dict]) -> str:
        """One HTTP request; returns the first choice's message content."""
        body = json.dumps(dict(self.sampling, messages=messages))
        request = urllib.request.Request(
            self.url,
            data=body.encode('utf-8'),
            headers={
                'Content-Type': 'application/json',
                'Authorization':
                f'Bearer {os.environ.get(self.api_key_env, "")}',
            },
            method='POST')
        with urllib.request.urlopen(request, timeout=self.timeout) as resp:
            payload = json.loads(resp.read().decode('utf-8'))
        return payload['choices'][0]['message']['content']
