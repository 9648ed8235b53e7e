"""The words of the authorise pages, in English and Chinese (the node's two page languages)."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "sign_in_title": "Sign in to authorise {app}",
        "login": "Username or e-mail address",
        "password": "Password",
        "sign_in": "Sign in",
        "authorize_title": "Authorise {app}?",
        "wants": "{app} wants to use your account @{username} with these permissions:",
        "authorize": "Authorize",
        "deny": "Deny",
        "code_title": "Authorisation code",
        "code_hint": "Copy this code and paste it into {app}:",
        "denied_title": "Authorisation denied",
        "denied": "{app} was not given access to your account.",
        "error_title": "This authorisation request is not valid",
        "too_many": "Too many attempts; try again in a few minutes.",
        "session_ended": "Your session has ended; sign in again.",
    },
    "zh": {
        "sign_in_title": "登录以授权 {app}",
        "login": "用户名或电子邮件地址",
        "password": "密码",
        "sign_in": "登录",
        "authorize_title": "授权 {app}？",
        "wants": "{app} 请求以下权限使用你的账号 @{username}：",
        "authorize": "授权",
        "deny": "拒绝",
        "code_title": "授权码",
        "code_hint": "复制此授权码并粘贴到 {app}：",
        "denied_title": "已拒绝授权",
        "denied": "{app} 未获得访问你账号的权限。",
        "error_title": "此授权请求无效",
        "too_many": "尝试次数过多，请几分钟后再试。",
        "session_ended": "你的会话已结束，请重新登录。",
    },
}


def texts(locale: str) -> dict[str, str]:
    return TEXT.get(locale, TEXT["en"])
