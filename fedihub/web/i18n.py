"""English and Chinese for the node's pages: message ids, the request's locale, `_()` in templates.

The locale is the signed-in user's `locale`, else `?lang=`, else the Accept-Language header, else
English. Services raise errors with English public messages; `error_text` shows them in the page's
language where a translation is known, with the field's name in front.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quart import request

from fedihub import models
from fedihub.errors import FedihubError

LOCALES = ("en", "zh")
DEFAULT = "en"

MESSAGES: dict[str, dict[str, str]] = {
    # navigation
    "nav.sign_in": {"en": "Sign in", "zh": "登录"},
    "nav.sign_up": {"en": "Sign up", "zh": "注册"},
    "nav.settings": {"en": "Settings", "zh": "设置"},
    "nav.sign_out": {"en": "Sign out", "zh": "退出"},
    "nav.signed_in_as": {"en": "Signed in as {name}", "zh": "已登录：{name}"},
    # form fields
    "field.username": {"en": "Username", "zh": "用户名"},
    "field.email": {"en": "E-mail address", "zh": "电子邮件地址"},
    "field.login": {"en": "Username or e-mail address", "zh": "用户名或电子邮件地址"},
    "field.password": {"en": "Password", "zh": "密码"},
    "field.password_confirmation": {"en": "Confirm password", "zh": "确认密码"},
    "field.invite_code": {"en": "Invitation code", "zh": "邀请码"},
    "field.display_name": {"en": "Display name", "zh": "显示名称"},
    "field.bio": {"en": "Bio", "zh": "简介"},
    "field.avatar": {
        "en": "Avatar (PNG, JPEG, GIF or WebP)",
        "zh": "头像（PNG、JPEG、GIF 或 WebP）",
    },
    "field.affiliation": {"en": "Affiliation", "zh": "所属机构"},
    "field.research_areas": {"en": "Research areas", "zh": "研究领域"},
    "field.research_areas_hint": {
        "en": "separated by commas, at most 20",
        "zh": "用逗号分隔，最多 20 个",
    },
    "field.links": {"en": "Links", "zh": "链接"},
    "field.link_name": {"en": "Name", "zh": "名称"},
    "field.link_url": {"en": "URL", "zh": "网址"},
    "field.locale": {"en": "Language", "zh": "语言"},
    "field.current_password": {"en": "Current password", "zh": "当前密码"},
    "field.new_password": {"en": "New password", "zh": "新密码"},
    "field.new_password_confirmation": {"en": "Confirm new password", "zh": "确认新密码"},
    # registration
    "signup.title": {"en": "Create an account", "zh": "创建账户"},
    "signup.submit": {"en": "Sign up", "zh": "注册"},
    "signup.closed": {
        "en": "Registrations are closed on this node.",
        "zh": "本节点目前不开放注册。",
    },
    "signup.invite_needed": {
        "en": "An invitation code is needed to register on this node.",
        "zh": "在本节点注册需要邀请码。",
    },
    "signup.have_account": {"en": "Already have an account? Sign in", "zh": "已有账户？登录"},
    # sign-in
    "signin.title": {"en": "Sign in", "zh": "登录"},
    "signin.submit": {"en": "Sign in", "zh": "登录"},
    "signin.invalid": {
        "en": "invalid username, e-mail address or password",
        "zh": "用户名、电子邮件地址或密码错误",
    },
    "signin.disabled": {"en": "this account is disabled", "zh": "此账户已被停用"},
    "signin.throttled": {
        "en": "too many failed sign-ins; wait a few minutes and try again",
        "zh": "登录失败次数过多，请几分钟后再试",
    },
    "signin.no_account": {"en": "No account yet? Sign up", "zh": "还没有账户？注册"},
    # settings
    "settings.profile_title": {"en": "Edit profile", "zh": "编辑个人资料"},
    "settings.password_title": {"en": "Change password", "zh": "修改密码"},
    "settings.save": {"en": "Save", "zh": "保存"},
    "settings.saved": {"en": "Saved.", "zh": "已保存。"},
    "settings.password_changed": {
        "en": "Your password was changed; your other sessions have ended.",
        "zh": "密码已修改，其他会话已退出。",
    },
    "settings.current_avatar": {"en": "Current avatar", "zh": "当前头像"},
    "lang.en": {"en": "English", "zh": "English"},
    "lang.zh": {"en": "中文", "zh": "中文"},
    # knowledge posts (templates/knowledge/)
    "knowledge.title": {"en": "Knowledge", "zh": "知识库"},
    "knowledge.newest": {"en": "Newest", "zh": "最新"},
    "knowledge.trending": {"en": "Trending", "zh": "热门"},
    "knowledge.write": {"en": "Write a post", "zh": "撰写文章"},
    "knowledge.search": {"en": "Search", "zh": "搜索"},
    "knowledge.tag": {"en": "Tag", "zh": "标签"},
    "knowledge.language": {"en": "Language", "zh": "语言"},
    "knowledge.none": {"en": "No posts.", "zh": "没有文章。"},
    "knowledge.more": {"en": "More", "zh": "更多"},
    "knowledge.draft": {"en": "Draft", "zh": "草稿"},
    "knowledge.institution_only": {"en": "Institution only", "zh": "仅限本机构"},
    "knowledge.license": {"en": "License", "zh": "许可协议"},
    "knowledge.versions": {"en": "Versions", "zh": "版本"},
    "knowledge.version": {"en": "Version", "zh": "版本"},
    "knowledge.edit": {"en": "Edit", "zh": "编辑"},
    "knowledge.replies": {"en": "Replies", "zh": "回复"},
    "knowledge.title_changed": {"en": "Title changed", "zh": "标题已修改"},
    "knowledge.summary_changed": {"en": "Summary changed", "zh": "摘要已修改"},
    "knowledge.changes": {"en": "What changed", "zh": "修改内容"},
    "knowledge.field_title": {"en": "Title", "zh": "标题"},
    "knowledge.field_summary": {
        "en": "Summary (shown on Mastodon: keep it true after edits)",
        "zh": "摘要（Mastodon 上显示，编辑后请保持准确）",
    },
    "knowledge.field_body": {"en": "Body (Markdown, $LaTeX$)", "zh": "正文（Markdown，$LaTeX$）"},
    "knowledge.field_tags": {
        "en": "Tags (research areas, separated by commas)",
        "zh": "标签（研究领域，用逗号分隔）",
    },
    "knowledge.visibility": {"en": "Visibility", "zh": "可见范围"},
    "knowledge.level_public": {"en": "Public", "zh": "公开"},
    "knowledge.level_unlisted": {"en": "Unlisted", "zh": "不公开列出"},
    "knowledge.level_private": {"en": "Followers only", "zh": "仅关注者"},
    "knowledge.level_institution": {"en": "Institution only", "zh": "仅限本机构"},
    "knowledge.save_draft": {"en": "Save as draft", "zh": "保存草稿"},
    "knowledge.publish": {"en": "Publish", "zh": "发布"},
    "knowledge.save": {"en": "Save", "zh": "保存"},
    "knowledge.preview": {"en": "Preview", "zh": "预览"},
}

# English public messages of the account services, and their Chinese
_ERRORS_ZH: dict[str, str] = {
    "the two passwords differ": "两次输入的密码不一致",
    "the two new passwords differ": "两次输入的新密码不一致",
    "an invitation code is needed to register here": "在本节点注册需要邀请码",
    "this invitation code is not valid": "邀请码无效",
    "this invitation code is used up": "邀请码已用完",
    "registrations are closed on this node": "本节点目前不开放注册",
    "password is too easy to guess": "密码太容易被猜到",
    "password must not contain the username": "密码不能包含用户名",
    "password must not contain the e-mail address": "密码不能包含电子邮件地址",
    "an account with this e-mail address exists already": "该电子邮件地址已被注册",
    "the username or e-mail address is taken": "用户名或电子邮件地址已被占用",
    "the current password is wrong": "当前密码不正确",
    "the avatar must be a PNG, JPEG, GIF or WebP image": "头像必须是 PNG、JPEG、GIF 或 WebP 图片",
    "each link needs both a name and a URL": "每个链接都需要名称和网址",
    "the form has expired or did not come from this site; reload it and try again": (
        "表单已过期或并非来自本站，请刷新后重试"
    ),
}

# which label names a field in an error message
_FIELD_LABELS = {
    "username": "field.username",
    "email": "field.email",
    "password": "field.password",
    "password_confirmation": "field.password_confirmation",
    "invite_code": "field.invite_code",
    "display_name": "field.display_name",
    "bio": "field.bio",
    "avatar": "field.avatar",
    "affiliation": "field.affiliation",
    "research_areas": "field.research_areas",
    "links": "field.links",
    "locale": "field.locale",
    "current_password": "field.current_password",
}


def translate(message_id: str, locale: str, **values: Any) -> str:
    """The message in `locale` (English if missing there), with {placeholders} filled in."""
    entry = MESSAGES.get(message_id)
    if entry is None:
        return message_id
    text = entry.get(locale) or entry[DEFAULT]
    return text.format(**values) if values else text


def translator(locale: str) -> Callable[..., str]:
    """The `_()` that templates call."""

    def _(message_id: str, **values: Any) -> str:
        return translate(message_id, locale, **values)

    return _


def field_label(field: str | None, locale: str) -> str:
    label_id = _FIELD_LABELS.get(field or "")
    if label_id is None:
        return field or ""
    # labels carry hints in brackets; an error only needs the name
    return translate(label_id, locale).split(" (")[0].split("（")[0]


def error_text(exc: FedihubError, locale: str) -> str:
    """'Field: message' in the page's language where a translation is known."""
    message = _ERRORS_ZH.get(exc.public, exc.public) if locale == "zh" else exc.public
    label = field_label(exc.field, locale)
    separator = "：" if locale == "zh" else ": "
    return f"{label}{separator}{message}" if label else message


def _from_accept_language() -> str | None:
    best = request.accept_languages.best_match(LOCALES)
    return best if best in LOCALES else None


def negotiate(user: models.User | None) -> str:
    """The locale of this request: the user's, else ?lang=, else Accept-Language, else English."""
    if user is not None and user.locale in LOCALES:
        return user.locale
    asked = request.args.get("lang", "").strip().lower()[:2]
    if asked in LOCALES:
        return asked
    return _from_accept_language() or DEFAULT
