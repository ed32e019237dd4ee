"""A local OpenAI-compatible chat-completions endpoint for judge parity.

VideoRefer-Bench-D is scored by an LLM judge. The harness points the
reference's judge script (the ``openai`` client) and our
``RegionCaptionJudgeMetric`` (a plain HTTP client) at this server, which
keeps every request body and answers with a reply computed from the
question alone, so both sides get the same replies for the same questions:

- each of the four dimensions gets a score from 0 to 5 taken from the
  SHA-256 of the user message;
- a reference caption holding the word ``still`` gets ``N/A`` for
  ``Temporal Description`` (no score line the judge scripts can read), so
  a dimension's mean over the replies that score it is exercised.

Run it alone with ``python tools/parity/judge_stub.py --port 8000`` (then
``OPENAI_BASE_URL=http://127.0.0.1:8000/v1``).
"""
import argparse
import hashlib
import json
import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator, List, Optional

DIMENSIONS = ('Subject Correspondence', 'Appearance Description',
              'Temporal Description', 'Hallucination Detection')


def user_text(body: dict) -> str:
    """The text of the last message of a request body (a string or a list
    of ``{'type': 'text', 'text': ...}`` parts)."""
    content = body['messages'][-1]['content']
    if isinstance(content, str):
        return content
    return ''.join(p.get('text', '') for p in content)


def judge_reply(question: str) -> str:
    """The stub's reply to a judge question (``##Correct answer: ...``)."""
    digest = hashlib.sha256(question.encode('utf-8')).digest()
    caption = re.match(r'##Correct answer: (.*)', question)
    still = caption is not None and re.search(r'\bstill\b', caption.group(1))
    lines = []
    for i, dim in enumerate(DIMENSIONS):
        score = 'N/A' if still and dim == 'Temporal Description' else str(
            digest[i] % 6)
        lines.append(f'{i + 1}. {dim}: {score}\nExplanation: stub reply.')
    return '\n'.join(lines)


class JudgeStub(ThreadingHTTPServer):
    """The endpoint on ``127.0.0.1`` (a free port unless ``port`` is
    given): ``POST /v1/chat/completions`` only (404 otherwise, 400 for a
    body that is not a chat request or a question ``reply`` has no answer
    for). The request bodies are kept in :attr:`requests`, in the order
    they came, and beside each in :attr:`meta` its path and
    ``Authorization`` header.

    Args:
        port (int): 0 for a free port.
        reply (Callable[[str], str | None]): The reply text to a question
            (the text of the last message); None answers 400. Defaults to
            :func:`judge_reply`.
    """

    daemon_threads = True

    def __init__(self,
                 port: int = 0,
                 reply: Callable[[str], Optional[str]] = judge_reply) -> None:
        super().__init__(('127.0.0.1', port), _Handler)
        self.reply = reply
        self.requests: List[dict] = []
        self.meta: List[dict] = []
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f'http://127.0.0.1:{self.server_address[1]}/v1'


class _Handler(BaseHTTPRequestHandler):

    def do_POST(self) -> None:
        length = int(self.headers.get('Content-Length') or 0)
        raw = self.rfile.read(length)
        if self.path.rstrip('/') != '/v1/chat/completions':
            self._send(404, dict(error=dict(message=f'no {self.path}')))
            return
        try:
            body = json.loads(raw)
            question = user_text(body)
        except (ValueError, KeyError, IndexError, TypeError) as err:
            self._send(400, dict(error=dict(message=f'bad request: {err}')))
            return
        with self.server.lock:
            self.server.requests.append(body)
            self.server.meta.append(
                dict(
                    path=self.path,
                    authorization=self.headers.get('Authorization')))
            number = len(self.server.requests)
        content = self.server.reply(question)
        if content is None:
            self._send(400, dict(error=dict(message='no reply recorded')))
            return
        message = dict(role='assistant', content=content)
        self._send(
            200,
            dict(
                id=f'chatcmpl-stub-{number}',
                object='chat.completion',
                created=0,
                model=body.get('model', ''),
                choices=[
                    dict(
                        index=0,
                        message=message,
                        finish_reason='stop',
                        logprobs=None)
                ],
                usage=dict(
                    prompt_tokens=len(question.split()),
                    completion_tokens=len(message['content'].split()),
                    total_tokens=len(question.split()) +
                    len(message['content'].split()))))

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        """Quiet."""


@contextmanager
def running_stub(port: int = 0,
                 reply: Callable[[str], Optional[str]] = judge_reply
                 ) -> Iterator[JudgeStub]:
    """A :class:`JudgeStub` serving in a thread while the block runs."""
    server = JudgeStub(port, reply)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--port', type=int, default=8000)
    args = parser.parse_args()
    server = JudgeStub(args.port)
    print(f'judge stub at {server.base_url}', flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == '__main__':
    main()
