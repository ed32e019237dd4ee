import http.client
import io
import json
import urllib.error

import pytest

from unipixel_mm.evaluation import OpenAIChatClient


class FakeJudge:
    """Replies with fixed texts in turn and records the questions."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.questions = []

    def chat(self, messages):
        self.questions.append(messages)
        return self.replies.pop(0)


@pytest.fixture
def prompt_file(tmp_path):
    path = tmp_path / 'system.txt'
    path.write_text('You grade captions.\n')
    return str(path)


def test_region_caption_judge_metric(build_metric, prompt_file):
    judge = FakeJudge([
        '1. Subject Correspondence: 4\n2. Appearance Description: 3\n'
        '3. Temporal Description: 2\n4. Hallucination Detection: 1',
        None,  # a failed call is left out
        '1. Subject Correspondence: 2\n2. Appearance Description: 3\n'
        '3. Temporal Description: 4\n4. Hallucination Detection: 5',
    ])
    metric = build_metric(
        dict(
            type='RegionCaptionJudgeMetric',
            judge=judge,
            system_prompt_file=prompt_file))
    metric.process(None, [
        dict(pred_text=f'pred {i}', gt_answer=f'caption {i}') for i in range(3)
    ])
    metrics = metric.evaluate(3)
    # Every dimension averages to 3 over the two judged captions.
    assert metrics['videorefer_d/Subject Correspondence'] == 3.0
    assert metrics['videorefer_d/Hallucination Detection'] == 3.0
    assert metrics['videorefer_d/All'] == 3.0
    assert metrics['videorefer_d/num_failed'] == 1
    assert judge.questions[2][1]['content'] == [
        dict(
            type='text',
            text='##Correct answer: caption 2\n##Predicted answer: pred 2\n')
    ]
    assert judge.questions[2][0] == dict(
        role='system',
        content=[dict(type='text', text='You grade captions.\n')])


def test_judge_prompt_file_is_required(build_metric, tmp_path):
    with pytest.raises(ValueError, match='system_prompt_file'):
        build_metric(dict(type='RegionCaptionJudgeMetric'))
    with pytest.raises(FileNotFoundError, match='nowhere/system.txt'):
        build_metric(
            dict(
                type='RegionCaptionJudgeMetric',
                system_prompt_file=str(tmp_path / 'nowhere' / 'system.txt')))


def test_default_judge_is_http_client(build_metric, prompt_file):
    metric = build_metric(
        dict(type='RegionCaptionJudgeMetric', system_prompt_file=prompt_file))
    assert isinstance(metric.judge, OpenAIChatClient)
    assert metric.judge.sampling['model'] == 'gpt-4o-mini'


class FakeResponse(io.BytesIO):

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()


def test_client_request(monkeypatch):
    sent = []

    def fake_urlopen(request, timeout):
        sent.append(request)
        reply = dict(choices=[dict(message=dict(content='1. X: 5'))])
        return FakeResponse(json.dumps(reply).encode())

    monkeypatch.setattr('urllib.request.urlopen', fake_urlopen)
    monkeypatch.setenv('JUDGE_KEY', 'secret')
    client = OpenAIChatClient(
        'judge-model', base_url='http://judge/v1/', api_key_env='JUDGE_KEY')
    messages = [dict(role='user', content='hi')]

    assert client.chat(messages) == '1. X: 5'
    request = sent[0]
    assert request.full_url == 'http://judge/v1/chat/completions'
    assert request.get_header('Authorization') == 'Bearer secret'
    body = json.loads(request.data)
    assert body['model'] == 'judge-model' and body['messages'] == messages
    assert body['temperature'] == 0.7 and body['max_tokens'] == 800
    # the other options of 1.eval_gpt_4o_mini.py, stop sent as null
    assert body['top_p'] == 0.95 and body['stop'] is None
    assert body['frequency_penalty'] == body['presence_penalty'] == 0


def test_client_gives_up_after_retries(monkeypatch):
    calls, sleeps = [], []

    def failing_urlopen(request, timeout):
        calls.append(request)
        raise urllib.error.URLError('unreachable')

    monkeypatch.setattr('urllib.request.urlopen', failing_urlopen)
    monkeypatch.setattr('time.sleep', sleeps.append)
    client = OpenAIChatClient('judge-model', max_retries=3, retry_interval=2)
    assert client.chat([dict(role='user', content='hi')]) is None
    assert len(calls) == 3
    assert sleeps == [2, 4]  # doubled at each retry


@pytest.mark.parametrize('payload', [
    b'not json', b'{"choices": []}', b'{"choices": [{"message": null}]}',
    b'{"choices": [{"message": {"content": ""}}]}'
])
def test_client_bad_replies(monkeypatch, payload):
    monkeypatch.setattr('urllib.request.urlopen',
                        lambda request, timeout: FakeResponse(payload))
    client = OpenAIChatClient('judge-model', max_retries=2, retry_interval=0)
    assert client.chat([dict(role='user', content='hi')]) is None


def http_error(code, body=b''):
    return urllib.error.HTTPError('http://judge/v1/chat/completions', code,
                                  'error', {}, io.BytesIO(body))


def test_client_retries_transient_errors(monkeypatch):
    """A dropped connection, a rate limit and a server error pass."""
    errors = [
        http.client.RemoteDisconnected('closed'),
        http_error(429),
        http_error(503),
        TimeoutError('read timed out')
    ]

    def flaky_urlopen(request, timeout):
        if errors:
            raise errors.pop(0)
        reply = dict(choices=[dict(message=dict(content='1. X: 5'))])
        return FakeResponse(json.dumps(reply).encode())

    monkeypatch.setattr('urllib.request.urlopen', flaky_urlopen)
    client = OpenAIChatClient('judge-model', retry_interval=0)
    assert client.chat([dict(role='user', content='hi')]) == '1. X: 5'
    assert not errors


@pytest.mark.parametrize('code', [401, 403, 404])
def test_client_raises_on_configuration_errors(monkeypatch, code):
    calls = []

    def refusing_urlopen(request, timeout):
        calls.append(request)
        raise http_error(
            code, b'{"error": {"message": "Incorrect API key provided"}}')

    monkeypatch.setattr('urllib.request.urlopen', refusing_urlopen)
    client = OpenAIChatClient(
        'judge-model', api_key_env='JUDGE_KEY', retry_interval=0)
    with pytest.raises(
            RuntimeError,
            match=rf'https://api.openai.com/v1/chat/completions answered '
            rf'HTTP {code}: Incorrect API key provided \(check the model '
            r"'judge-model', the URL and the API key in \$JUDGE_KEY\)"):
        client.chat([dict(role='user', content='hi')])
    assert len(calls) == 1


def test_client_gives_up_on_bad_requests(monkeypatch):
    """A request the server rejects is not sent again; the server's message
    is logged."""
    calls, logged = [], []
    monkeypatch.setattr('unipixel_mm.evaluation.judge_client.print_log',
                        lambda msg, **kwargs: logged.append(msg))

    def rejecting_urlopen(request, timeout):
        calls.append(request)
        raise http_error(400, b'context length exceeded')

    monkeypatch.setattr('urllib.request.urlopen', rejecting_urlopen)
    client = OpenAIChatClient('judge-model', retry_interval=0)
    assert client.chat([dict(role='user', content='hi')]) is None
    assert len(calls) == 1
    assert logged == [
        'Judge request 1/5 to https://api.openai.com/v1/chat/completions '
        'failed: HTTP 400: context length exceeded'
    ]


def test_client_without_key(monkeypatch):
    """No key, no Authorization header (a local server needs none)."""
    sent = []

    def fake_urlopen(request, timeout):
        sent.append(request)
        reply = dict(choices=[dict(message=dict(content='ok'))])
        return FakeResponse(json.dumps(reply).encode())

    monkeypatch.setattr('urllib.request.urlopen', fake_urlopen)
    monkeypatch.delenv('JUDGE_KEY', raising=False)
    client = OpenAIChatClient('judge-model', api_key_env='JUDGE_KEY')
    assert client.chat([dict(role='user', content='hi')]) == 'ok'
    assert not sent[0].has_header('Authorization')
    with pytest.raises(ValueError, match='max_retries'):
        OpenAIChatClient('judge-model', max_retries=0)
