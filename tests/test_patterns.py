"""patterns.lazy: the same answers as re.compile, compiled only when first used."""

import re
import threading

from trtsetup.patterns import lazy

SOURCE, FLAGS = r"^(?P<name>[a-z]+)=(\d+)$", re.M
TEXT = "cuda=12\nbad line\ntrt=10\n"


def test_a_lazy_pattern_answers_as_the_compiled_one():
    compiled, pattern = re.compile(SOURCE, FLAGS), lazy(SOURCE, FLAGS)
    assert pattern.search(TEXT).groups() == compiled.search(TEXT).groups()
    assert [m.group("name") for m in pattern.finditer(TEXT)] == ["cuda", "trt"]
    assert pattern.sub(r"\g<name>", TEXT) == compiled.sub(r"\g<name>", TEXT)
    assert pattern.match("bad line") is None and pattern.groupindex == compiled.groupindex
    assert pattern.split(TEXT) == compiled.split(TEXT)


def test_it_is_compiled_on_first_use_only():
    pattern = lazy(r"[unclosed")  # a bad pattern raises where it is used, not at import
    try:
        pattern.match("x")
    except re.error:
        pass
    else:
        raise AssertionError("expected re.error")


def test_threads_that_use_it_at_once_all_get_the_answer():
    pattern, answers = lazy(SOURCE, FLAGS), []
    threads = [threading.Thread(target=lambda: answers.append(pattern.findall(TEXT))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [[("cuda", "12"), ("trt", "10")]] * 8
