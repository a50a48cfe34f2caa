"""One place that renders the errors Flask catches: JSON under /api, a Chinese page elsewhere.

Under /api the JSON is :func:`.answers.error_answer` passed through
:func:`.answers.finish`, as every API answer is. Errors inside an endpoint do not
reach here (:func:`.routing.respond` renders them on both paths); Flask's own do: an
unknown path, a method a route does not take.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus

from flask import Flask, Response, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import StationmapError
from .answers import Answer, answer_for_error, error_answer, finish, request_from_environ
from .api import response_from
from .routing import UNEXPECTED

log = logging.getLogger(__name__)


def register(app: Flask) -> None:
    """Install the handlers on ``app``."""
    app.register_error_handler(StationmapError, render_error)
    app.register_error_handler(HTTPException, _render_http_error)
    app.register_error_handler(Exception, _render_unexpected)


def render_error(error: StationmapError) -> Response:
    """``error`` as the API's JSON under /api, else as the Chinese error page."""
    if _under_api():
        return _api_response(answer_for_error(error))
    response = _page(error.status, error.message)
    response.headers.extend(error.headers)
    return response


def _render_http_error(error: HTTPException) -> Response:
    status, message = error.code or 500, error.description or error.name
    allowed = getattr(error, "valid_methods", None)  # a 405 says what is allowed
    headers = (("Allow", ", ".join(sorted(allowed))),) if allowed else ()
    if _under_api():
        code, message = _api_error(status, allowed)
        return _api_response(error_answer(status, code, message, headers=headers))
    response = _page(status, message)
    response.headers.extend(headers)
    return response


def _api_error(status: int, allowed: list[str] | None) -> tuple[str, str]:
    """The code and our own message for an HTTP error Flask raised under /api (not
    Werkzeug's page text): what was asked, and where to look instead."""
    if status == 404:
        return "not_found", (
            f"no API endpoint at {request.path}; every endpoint is listed in /api/v1/openapi.json"
        )
    if status == 405:
        methods = ", ".join(sorted(allowed or ())) or "GET"
        return "method_not_allowed", (
            f"{request.method} is not allowed on {request.path}; it answers {methods}"
        )
    try:
        phrase = HTTPStatus(status).phrase.lower()
    except ValueError:  # a status http.HTTPStatus does not name
        phrase = "error"
    return phrase.replace(" ", "_").replace("-", "_"), f"the request was refused: {phrase}"


def _render_unexpected(error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.path)
    if _under_api():
        return _api_response(error_answer(500, "internal_error", UNEXPECTED))
    return _page(500, UNEXPECTED)


def _under_api() -> bool:
    return request.path.startswith("/api/")


def _api_response(answer: Answer) -> Response:
    return response_from(finish(request_from_environ(request.environ, {}), answer))


PAGE_ERRORS: dict[int, tuple[str, str]] = {
    400: ("请求有误", "链接里有看不懂的内容，请检查后再试。"),
    401: ("需要登录", "请先登录，再打开这个页面。"),
    403: ("没有权限", "你的账号不能查看或修改这里的内容。"),
    404: ("找不到这个页面", "链接可能输错了，或者这个页面已经不存在。"),
    405: ("不能这样打开这个页面", "这个页面只能直接在浏览器里打开，请从首页重新进入。"),
    409: ("内容已被修改", "别人刚刚修改了这里的内容，请刷新后再试。"),
    413: ("文件太大", "上传的文件超过了允许的大小。"),
    414: ("链接太长", "请缩短搜索内容后再试。"),
    429: ("请求太频繁", "请稍等片刻再试。"),
    503: ("服务暂时不可用", "服务正在启动或维护，请稍后刷新。"),
}
"""A page error's heading and explanation in Chinese, by HTTP status."""
PAGE_ERROR_DEFAULT = ("出错了", "服务器出了点问题，已经记录下来，请稍后再试。")
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _page(status: int, message: str) -> Response:
    """The Chinese error page: a heading for the status, and ``message`` when it is written
    in Chinese (page errors such as an unknown station are); English from Werkzeug or
    the API's messages gives way to the status's own Chinese explanation."""
    title, explanation = PAGE_ERRORS.get(status, PAGE_ERROR_DEFAULT)
    shown = message if _CHINESE.search(message or "") else explanation
    page = render_template("error.html", status=status, title=title, message=shown)
    return make_response(page, status)
