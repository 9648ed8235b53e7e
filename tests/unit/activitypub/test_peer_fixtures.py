"""Peer traffic, parsed: every document in tests/fixtures/peers/ (what Mastodon, GoToSocial,
Misskey, Pleroma/Akkoma, Lemmy, Mobilizon, WordPress and WriteFreely send, from their test
suites and docs; sources in that folder's README) read by fedihub's protocol layer, and checked
against what a user depends on: who sent it, what it is about, who may see it, what it says,
its attachments and tags, and for actors where to deliver and which key verifies them.

The expectations are a table, one entry per file (EXPECTED). Visibility is read the way the
inbox reads it (social.visibility.visibility_from_addressing), with the author's followers
collection at `<actor>/followers` unless the entry names another.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from fedihub.activitypub import parse
from fedihub.activitypub.vocabulary import ACTOR_TYPES
from fedihub.social.visibility import visibility_from_addressing

PEERS = Path(__file__).resolve().parents[2] / "fixtures" / "peers"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# activity types beyond parse.ACTIVITY_TYPES that Mobilizon sends (groups and events)
MOBILIZON_ACTIVITIES = frozenset({"Invite", "Join", "Leave"})

EXPECTED: dict[str, dict[str, Any]] = {
    # ---- gotosocial
    "gotosocial/accept_follow.json": {
        "type": "Accept",
        "id": "http://localhost:8080/01HZ8Y4K9T6V3JQXW2C7M5R1BE",
        "actor": "http://localhost:8080/users/the_mighty_zork",
        "object_id": "http://fossbros-anonymous.io/users/foss_satan/follow/01HZ8Y4A0QKW8C5V7NNB2XW0TD",
        "visibility": "direct",
        "embedded": "Follow",
        "embedded_actor": "http://fossbros-anonymous.io/users/foss_satan",
    },
    "gotosocial/accept_like_request.json": {
        "type": "Accept",
        "id": "http://localhost:8080/users/the_mighty_zork/accepts/01J1AKMZ8JE5NW0ZSFTRC1JJNE",
        "actor": "http://localhost:8080/users/the_mighty_zork",
        "object_id": "https://fossbros-anonymous.io/users/foss_satan/interaction_requests/01J1AKRRHQ6MDDQHV0TP716T2K",
        "visibility": "direct",
        "object": {
            "type": "LikeRequest",
            "id": "https://fossbros-anonymous.io/users/foss_satan/interaction_requests/01J1AKRRHQ6MDDQHV0TP716T2K",
        },
    },
    "gotosocial/announce_followers_only.json": {
        "type": "Announce",
        "id": "http://localhost:8080/users/the_mighty_zork/statuses/01G74JJ1KS331G2JXHRMZCE0ER",
        "actor": "http://localhost:8080/users/the_mighty_zork",
        "object_id": "http://localhost:8080/users/the_mighty_zork/statuses/01FCTA44PW9H1TB328S9AQXKDS",
        "visibility": "private",
        "shares": "http://localhost:8080/users/the_mighty_zork/statuses/01FCTA44PW9H1TB328S9AQXKDS",
    },
    "gotosocial/bot_application.json": {
        "type": "Application",
        "id": "http://localhost:8080/users/the_mighty_zork",
        "username": "the_mighty_zork",
        "inbox": "http://localhost:8080/users/the_mighty_zork/inbox",
        "shared_inbox": None,
        "followers": "http://localhost:8080/users/the_mighty_zork/followers",
        "url": "http://localhost:8080/@the_mighty_zork",
        "icon": "http://localhost:8080/fileserver/01F8MH1H7YV1Z7D2C8K2730QBF/avatar/original/01F8MH58A357CV5K7R7TJMSH6S.jpg",
        "key_id": "http://localhost:8080/users/the_mighty_zork/main-key",
        "locked": False,
    },
    "gotosocial/create_note.json": {
        "type": "Create",
        "id": "http://localhost:8080/users/the_mighty_zork/statuses/01F8MHAMCHF6Y650WCRSCP4WMY/activity#Create",
        "actor": "http://localhost:8080/users/the_mighty_zork",
        "object_id": "http://localhost:8080/users/the_mighty_zork/statuses/01F8MHAMCHF6Y650WCRSCP4WMY",
        "visibility": "public",
        "object": {
            "type": "Note",
            "id": "http://localhost:8080/users/the_mighty_zork/statuses/01F8MHAMCHF6Y650WCRSCP4WMY",
            "by": "http://localhost:8080/users/the_mighty_zork",
            "visibility": "public",
            "content": "hello everyone!",
            "summary": "introduction post",
            "sensitive": True,
            "language": "en",
        },
    },
    "gotosocial/create_poll_vote.json": {
        "type": "Create",
        "id": "http://localhost:8080/users/the_mighty_zork/activity#vote0/http://fossbros-anonymous.io/users/foss_satan/statuses/01HEN2QRFA8H3C6QPN7RD4KSR6",
        "actor": "http://localhost:8080/users/the_mighty_zork",
        "object_id": "http://localhost:8080/users/the_mighty_zork#01HEN2R65468ZG657C4ZPHJ4EX/votes/1",
        "visibility": "direct",
        "object": {
            "type": "Note",
            "id": "http://localhost:8080/users/the_mighty_zork#01HEN2R65468ZG657C4ZPHJ4EX/votes/1",
            "by": "http://localhost:8080/users/the_mighty_zork",
            "visibility": "direct",
            "name": "tissues",
            "reply_to": "http://fossbros-anonymous.io/users/foss_satan/statuses/01HEN2QRFA8H3C6QPN7RD4KSR6",
        },
    },
    "gotosocial/delete_direct_note.json": {
        "type": "Delete",
        "id": "http://localhost:8080/01J5QVC5P2VYZ8N0JQ6E8X3T4M",
        "actor": "http://localhost:8080/users/1happyturtle",
        "object_id": "http://localhost:8080/users/1happyturtle/statuses/01FN3VJGFH10KR7S2PB0GFJZYG",
        "visibility": "direct",
    },
    "gotosocial/delete_note.json": {
        "type": "Delete",
        "id": "http://localhost:8080/01J5QVB9VC76NPPRQ207GG4DRZ",
        "actor": "http://localhost:8080/users/admin",
        "object_id": "http://localhost:8080/users/admin/statuses/01F8MH75CBF9JFX4ZAD54N0W0R",
        "visibility": "public",
    },
    "gotosocial/flag.json": {
        "type": "Flag",
        "id": "http://localhost:8080/reports/01GP3AWY4CRDVRNZKW0TEAMB5R",
        "actor": "http://localhost:8080/users/localhost:8080",
        "object_id": "http://fossbros-anonymous.io/users/foss_satan",
    },
    "gotosocial/follow.json": {
        "type": "Follow",
        "id": "http://localhost:8080/users/the_mighty_zork/follow/01F8PY8RHWRQZV038T4E8T9YK8",
        "actor": "http://localhost:8080/users/the_mighty_zork",
        "object_id": "http://fossbros-anonymous.io/users/foss_satan",
        "visibility": "direct",
    },
    "gotosocial/move.json": {
        "type": "Move",
        "id": "https://example.org/users/1happyturtle/moves/01HR9FDFCAGM7JYPMWNTFRDQE9",
        "actor": "https://example.org/users/1happyturtle",
        "object_id": "https://example.org/users/1happyturtle",
        "visibility": "private",
        "target": "https://another-server.com/users/my_new_account_hurray",
    },
    "gotosocial/note.json": {
        "type": "Note",
        "id": "http://localhost:8080/users/the_mighty_zork/statuses/01F8MHAMCHF6Y650WCRSCP4WMY",
        "by": "http://localhost:8080/users/the_mighty_zork",
        "visibility": "public",
        "content": "hello everyone!",
        "summary": "introduction post",
        "sensitive": True,
        "language": "en",
    },
    "gotosocial/note_reply_with_mention.json": {
        "type": "Note",
        "id": "http://localhost:8080/users/admin/statuses/01FF25D5Q0DH7CHD57CTRS6WK0",
        "by": "http://localhost:8080/users/admin",
        "visibility": "public",
        "content": "welcome to the instance!",
        "language": "en",
        "reply_to": "http://localhost:8080/users/the_mighty_zork/statuses/01F8MHAMCHF6Y650WCRSCP4WMY",
        "mentions": ["http://localhost:8080/users/the_mighty_zork"],
    },
    "gotosocial/note_with_attachment_and_tags.json": {
        "type": "Note",
        "id": "http://localhost:8080/users/admin/statuses/01F8MH75CBF9JFX4ZAD54N0W0R",
        "by": "http://localhost:8080/users/admin",
        "visibility": "public",
        "content": "! first post on the instance :rainbow: !",
        "language": "en",
        "attachments": [
            (
                "Image",
                "image/jpeg",
                "Black and white image of some 50's style text saying: Welcome On Board",
            )
        ],
        "hashtags": ["#welcome"],
    },
    "gotosocial/person.json": {
        "type": "Person",
        "id": "http://localhost:8080/users/the_mighty_zork",
        "username": "the_mighty_zork",
        "inbox": "http://localhost:8080/users/the_mighty_zork/inbox",
        "shared_inbox": "http://localhost:8080/sharedInbox",
        "followers": "http://localhost:8080/users/the_mighty_zork/followers",
        "url": "http://localhost:8080/@the_mighty_zork",
        "icon": "http://localhost:8080/fileserver/01F8MH1H7YV1Z7D2C8K2730QBF/avatar/original/01F8MH58A357CV5K7R7TJMSH6S.jpg",
        "key_id": "http://localhost:8080/users/the_mighty_zork/main-key",
        "locked": False,
    },
    "gotosocial/undo_follow.json": {
        "type": "Undo",
        "id": "http://localhost:8080/01F8Q0486ANTDWKG02A7DS1Q24",
        "actor": "http://localhost:8080/users/the_mighty_zork",
        "object_id": "http://localhost:8080/users/the_mighty_zork/follow/01F8PY8RHWRQZV038T4E8T9YK8",
        "visibility": "direct",
        "embedded": "Follow",
        "embedded_actor": "http://localhost:8080/users/the_mighty_zork",
    },
    # ---- lemmy
    "lemmy/accept_follow.json": {
        "type": "Accept",
        "id": "http://enterprise.lemmy.ml/activities/accept/75f080cc-3d45-4654-8186-8f3bb853fa27",
        "actor": "http://enterprise.lemmy.ml/c/main",
        "object_id": "http://ds9.lemmy.ml/activities/follow/6abcd50b-b8ca-4952-86b0-a6dd8cc12866",
        "visibility": "direct",
        "embedded": "Follow",
        "embedded_actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
    },
    "lemmy/announce_create_page.json": {
        "type": "Announce",
        "id": "http://enterprise.lemmy.ml/activities/announce/8030b171-803a-4108-94b1-342688f375cf",
        "actor": "http://enterprise.lemmy.ml/c/main",
        "object_id": "http://enterprise.lemmy.ml/activities/create/2807c9ec-3ad8-4859-a9e0-28b59b6e499f",
        "visibility": "public",
        "shares": "http://enterprise.lemmy.ml/post/7",
        "embedded": "Create",
    },
    "lemmy/block_user.json": {
        "type": "Block",
        "id": "http://enterprise.lemmy.ml/activities/block/5d42fffb-0903-4625-86d4-0b39bb344fc2",
        "actor": "http://enterprise.lemmy.ml/u/lemmy_beta",
        "object_id": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "visibility": "public",
        "target": "http://enterprise.lemmy.ml/c/main",
    },
    "lemmy/comment.json": {
        "type": "Note",
        "id": "https://enterprise.lemmy.ml/comment/38741",
        "by": "https://enterprise.lemmy.ml/u/picard",
        "visibility": "public",
        "content": "first comment!",
        "reply_to": "https://enterprise.lemmy.ml/post/55143",
        "mentions": [
            "https://enterprise.lemmy.ml/u/picard",
            "https://enterprise.lemmy.ml/c/tenforward",
        ],
    },
    "lemmy/create_comment.json": {
        "type": "Create",
        "id": "http://ds9.lemmy.ml/activities/create/1e77d67c-44ac-45ed-bf2a-460e21f60236",
        "actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "object_id": "http://ds9.lemmy.ml/comment/1",
        "visibility": "public",
        "object": {
            "type": "Note",
            "id": "http://ds9.lemmy.ml/comment/1",
            "by": "http://ds9.lemmy.ml/u/lemmy_alpha",
            "visibility": "public",
            "content": "hello",
            "reply_to": "http://ds9.lemmy.ml/post/1",
        },
    },
    "lemmy/create_page.json": {
        "type": "Create",
        "id": "http://ds9.lemmy.ml/activities/create/eee6a57a-622f-464d-b560-73ae1fcd3ddf",
        "actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "object_id": "http://ds9.lemmy.ml/post/1",
        "visibility": "public",
        "object": {
            "type": "Page",
            "id": "http://ds9.lemmy.ml/post/1",
            "by": "http://ds9.lemmy.ml/u/lemmy_alpha",
            "visibility": "public",
            "content": "test body",
            "name": "test post",
        },
    },
    "lemmy/create_private_message.json": {
        "type": "Create",
        "id": "http://enterprise.lemmy.ml/activities/create/987d05fa-f637-46d7-85be-13d112bc269f",
        "actor": "http://enterprise.lemmy.ml/u/lemmy_beta",
        "object_id": "http://enterprise.lemmy.ml/private_message/1",
        "visibility": "direct",
        "object": {
            "type": "Note",
            "id": "http://enterprise.lemmy.ml/private_message/1",
            "by": "http://enterprise.lemmy.ml/u/lemmy_beta",
            "visibility": "direct",
            "content": "hello",
        },
    },
    "lemmy/delete_page.json": {
        "type": "Delete",
        "id": "http://ds9.lemmy.ml/activities/delete/f2abee48-c7bb-41d5-9e27-8775ff32db12",
        "actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "object_id": "http://ds9.lemmy.ml/post/1",
        "visibility": "public",
    },
    "lemmy/delete_user.json": {
        "type": "Delete",
        "id": "http://ds9.lemmy.ml/activities/delete/f2abee48-c7bb-41d5-9e27-8775ff32db12",
        "actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "object_id": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "visibility": "public",
    },
    "lemmy/dislike_page.json": {
        "type": "Dislike",
        "id": "http://enterprise.lemmy.ml/activities/dislike/64d40d40-a829-43a5-8247-1fb595b3ca1c",
        "actor": "http://enterprise.lemmy.ml/u/lemmy_beta",
        "object_id": "http://ds9.lemmy.ml/post/1",
    },
    "lemmy/follow.json": {
        "type": "Follow",
        "id": "http://ds9.lemmy.ml/activities/follow/6abcd50b-b8ca-4952-86b0-a6dd8cc12866",
        "actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "object_id": "http://enterprise.lemmy.ml/c/main",
        "visibility": "direct",
    },
    "lemmy/group.json": {
        "type": "Group",
        "id": "https://enterprise.lemmy.ml/c/tenforward",
        "username": "tenforward",
        "inbox": "https://enterprise.lemmy.ml/c/tenforward/inbox",
        "shared_inbox": "https://enterprise.lemmy.ml/inbox",
        "followers": "https://enterprise.lemmy.ml/c/tenforward/followers",
        "url": None,
        "icon": "https://enterprise.lemmy.ml/pictrs/image/waqyZwLAy4.webp",
        "key_id": "https://enterprise.lemmy.ml/c/tenforward#main-key",
        "locked": False,
    },
    "lemmy/instance_application.json": {
        "type": "Application",
        "id": "https://enterprise.lemmy.ml/",
        "username": "enterprise.lemmy.ml",
        "inbox": "https://enterprise.lemmy.ml/inbox",
        "shared_inbox": None,
        "followers": None,
        "url": None,
        "icon": None,
        "key_id": "https://enterprise.lemmy.ml/#main-key",
        "locked": False,
    },
    "lemmy/like_note.json": {
        "type": "Like",
        "id": "http://ds9.lemmy.ml/activities/like/fd61d070-7382-46a9-b2b7-6bb253732877",
        "actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "object_id": "http://ds9.lemmy.ml/comment/1",
    },
    "lemmy/lock_page.json": {
        "type": "Lock",
        "id": "http://lemmy-alpha:8541/activities/lock/cb48761d-9e8c-42ce-aacb-b4bbe6408db2",
        "actor": "http://lemmy-alpha:8541/u/lemmy_alpha",
        "object_id": "http://lemmy-alpha:8541/post/2",
        "visibility": "public",
    },
    "lemmy/page.json": {
        "type": "Page",
        "id": "https://enterprise.lemmy.ml/post/55143",
        "by": "https://enterprise.lemmy.ml/u/picard",
        "visibility": "public",
        "content": "This is a post in the /c/tenforward community",
        "name": "Post title",
        "mentions": ["https://enterprise.lemmy.ml/c/tenforward"],
    },
    "lemmy/page_image_and_link.json": {
        "type": "Page",
        "id": "https://enterprise.lemmy.ml/post/55999",
        "by": "https://enterprise.lemmy.ml/u/picard",
        "visibility": "public",
        "content": "This is a post with both an imag",
        "name": "Post with image and link",
        "attachments": [("Image", "image/png", None)],
    },
    "lemmy/person.json": {
        "type": "Person",
        "id": "https://enterprise.lemmy.ml/u/picard",
        "username": "picard",
        "inbox": "https://enterprise.lemmy.ml/u/picard/inbox",
        "shared_inbox": "https://enterprise.lemmy.ml/inbox",
        "followers": None,
        "url": None,
        "icon": "https://enterprise.lemmy.ml/pictrs/image/ed9ej7.jpg",
        "key_id": "https://enterprise.lemmy.ml/u/picard#main-key",
        "locked": False,
    },
    "lemmy/private_message.json": {
        "type": "Note",
        "id": "https://enterprise.lemmy.ml/private_message/1621",
        "by": "https://enterprise.lemmy.ml/u/picard",
        "visibility": "direct",
        "content": "Hello hello, testing",
    },
    "lemmy/remove_note.json": {
        "type": "Delete",
        "id": "http://enterprise.lemmy.ml/activities/delete/42ca1a79-f99e-4518-a2ca-ba2df221eb5e",
        "actor": "http://enterprise.lemmy.ml/u/lemmy_beta",
        "object_id": "http://ds9.lemmy.ml/comment/1",
        "visibility": "public",
    },
    "lemmy/report_page.json": {
        "type": "Flag",
        "id": "http://ds9.lemmy.ml/activities/flag/98b0933f-5e45-4a95-a15f-e0dc86361ba4",
        "actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "object_id": "http://enterprise.lemmy.ml/post/7",
        "visibility": "direct",
    },
    "lemmy/tombstone.json": {"type": "Tombstone", "id": "https://lemmy.ml/comment/110273"},
    "lemmy/undo_follow.json": {
        "type": "Undo",
        "id": "http://ds9.lemmy.ml/activities/undo/dd83c482-8ebd-4b6c-9008-c8373bd1a86a",
        "actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "object_id": "http://ds9.lemmy.ml/activities/follow/dc2f1bc5-f3a0-4daa-a46b-428cbfbd023c",
        "visibility": "direct",
        "embedded": "Follow",
        "embedded_actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
    },
    "lemmy/undo_like_note.json": {
        "type": "Undo",
        "id": "http://ds9.lemmy.ml/activities/undo/3518565c-24a7-4d9e-8e0a-f7a2f45ac618",
        "actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "object_id": "http://ds9.lemmy.ml/activities/like/efcf7ae2-dfcc-4ff4-9ce4-6adf251ff004",
        "embedded": "Like",
        "embedded_actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
    },
    "lemmy/update_community.json": {
        "type": "Update",
        "id": "http://ds9.lemmy.ml/activities/update/d3717cf5-096d-473f-9530-5d52f9d51f5f",
        "actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "object_id": "http://enterprise.lemmy.ml/c/main",
        "visibility": "public",
        "embedded": "Group",
    },
    "lemmy/update_page.json": {
        "type": "Update",
        "id": "http://ds9.lemmy.ml/activities/update/ab360117-e165-4de4-b7fc-906b62c98631",
        "actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "object_id": "http://ds9.lemmy.ml/post/1",
        "visibility": "public",
        "object": {
            "type": "Page",
            "id": "http://ds9.lemmy.ml/post/1",
            "by": "http://ds9.lemmy.ml/u/lemmy_alpha",
            "visibility": "public",
            "content": "test body",
            "name": "test post 1",
        },
    },
    # ---- mastodon
    "mastodon/accept_follow.json": {
        "type": "Accept",
        "id": "http://mastodon.example.org/users/admin#accepts/follows/4",
        "actor": "http://mastodon.example.org/users/admin",
        "object_id": "http://localtesting.pleroma.lol/users/lain#follows/4",
        "embedded": "Follow",
        "embedded_actor": "http://localtesting.pleroma.lol/users/lain",
    },
    "mastodon/announce.json": {
        "type": "Announce",
        "id": "http://mastodon.example.org/users/admin/statuses/99542391527669785/activity",
        "actor": "http://mastodon.example.org/users/admin",
        "object_id": "http://mastodon.example.org/@admin/99541947525187367",
        "visibility": "public",
        "shares": "http://mastodon.example.org/@admin/99541947525187367",
    },
    "mastodon/application_actor.json": {
        "type": "Application",
        "id": "https://mastodon.example/actor",
        "username": "mastodon.example",
        "inbox": "https://mastodon.example/actor/inbox",
        "shared_inbox": "https://mastodon.example/inbox",
        "followers": None,
        "url": "https://mastodon.example/about/more?instance_actor=true",
        "icon": None,
        "key_id": "https://mastodon.example/actor#main-key",
        "locked": True,
    },
    "mastodon/block.json": {
        "type": "Block",
        "id": "https://mastodon.example/bd06bb61-01e0-447a-9dc8-95915db9aec8",
        "actor": "https://mastodon.example/users/alice",
        "object_id": "https://example.com/~mallory",
        "visibility": "direct",
    },
    "mastodon/create_direct_message.json": {
        "type": "Create",
        "id": "https://framapiaf.org/users/admin/statuses/19512778738411823/activity",
        "actor": "https://framapiaf.org/users/admin",
        "object_id": "https://framapiaf.org/users/admin/statuses/19512778738411823",
        "visibility": "direct",
        "object": {
            "type": "Note",
            "id": "https://framapiaf.org/users/admin/statuses/19512778738411823",
            "by": "https://framapiaf.org/users/admin",
            "visibility": "direct",
            "content": "here is a private message",
            "summary": "cw",
            "sensitive": True,
            "mentions": ["https://framapiaf.org/users/tcit"],
        },
    },
    "mastodon/create_note.json": {
        "type": "Create",
        "id": "http://mastodon.example.org/users/admin/statuses/99512778738411822/activity",
        "actor": "http://mastodon.example.org/users/admin",
        "object_id": "http://mastodon.example.org/users/admin/statuses/99512778738411822",
        "visibility": "public",
        "object": {
            "type": "Note",
            "id": "http://mastodon.example.org/users/admin/statuses/99512778738411822",
            "by": "http://mastodon.example.org/users/admin",
            "visibility": "public",
            "content": 'href="http://localtesting.pleroma.lol/users/lain" class="u-url mention"',
            "summary": "cw",
            "sensitive": True,
            "mentions": ["http://localtesting.pleroma.lol/users/lain"],
        },
    },
    "mastodon/create_note_reply_unlisted.json": {
        "type": "Create",
        "id": "https://mastodon.madrid/users/felix/statuses/107224289116410645/activity",
        "actor": "https://mastodon.madrid/users/felix",
        "object_id": "https://mastodon.madrid/users/felix/statuses/107224289116410645",
        "visibility": "unlisted",
        "object": {
            "type": "Note",
            "id": "https://mastodon.madrid/users/felix/statuses/107224289116410645",
            "by": "https://mastodon.madrid/users/felix",
            "visibility": "unlisted",
            "content": "i have never been disappointed b",
            "language": "en",
            "reply_to": "https://mamot.fr/users/retiolus/statuses/107224244380204526",
            "mentions": ["https://mamot.fr/users/retiolus"],
        },
    },
    "mastodon/create_note_with_attachment.json": {
        "type": "Create",
        "id": "http://mastodon.example.org/users/admin/statuses/99541822081679796/activity",
        "actor": "http://mastodon.example.org/users/admin",
        "object_id": "http://mastodon.example.org/users/admin/statuses/99541822081679796",
        "visibility": "public",
        "object": {
            "type": "Note",
            "id": "http://mastodon.example.org/users/admin/statuses/99541822081679796",
            "by": "http://mastodon.example.org/users/admin",
            "visibility": "public",
            "content": '<a href="http://mastodon.example.org/media/hw4nrZmV5DPbW2z_hao"',
            "attachments": [("Document", "image/jpeg", None)],
        },
    },
    "mastodon/create_question.json": {
        "type": "Create",
        "id": "https://mastodon.sdf.org/users/rinpatch/statuses/102070944809637304/activity",
        "actor": "https://mastodon.sdf.org/users/rinpatch",
        "object_id": "https://mastodon.sdf.org/users/rinpatch/statuses/102070944809637304",
        "visibility": "public",
        "object": {
            "type": "Question",
            "id": "https://mastodon.sdf.org/users/rinpatch/statuses/102070944809637304",
            "by": "https://mastodon.sdf.org/users/rinpatch",
            "visibility": "public",
            "content": "Why is Tenshi eating a corndog s",
            "language": "en",
        },
    },
    "mastodon/delete_actor.json": {
        "type": "Delete",
        "id": "http://mastodon.example.org/users/admin#delete",
        "actor": "http://mastodon.example.org/users/admin",
        "object_id": "http://mastodon.example.org/users/admin",
        "embedded": "Person",
    },
    "mastodon/delete_note.json": {
        "type": "Delete",
        "id": "http://mastodon.example.org/users/gargron/statuses/99620895606148759#delete",
        "actor": "http://mastodon.example.org/users/gargron",
        "object_id": "http://mastodon.example.org/users/gargron/statuses/99620895606148759",
        "embedded": "Tombstone",
    },
    "mastodon/flag.json": {
        "type": "Flag",
        "id": "https://mastodon.example/ccb4f39a-506a-490e-9a8c-71831c7713a4",
        "actor": "https://mastodon.example/actor",
        "object_id": "https://example.com/users/1",
        "visibility": "direct",
    },
    "mastodon/follow.json": {
        "type": "Follow",
        "id": "http://mastodon.example.org/users/admin#follows/2",
        "actor": "http://mastodon.example.org/users/admin",
        "object_id": "http://localtesting.pleroma.lol/users/lain",
    },
    "mastodon/like.json": {
        "type": "Like",
        "id": "http://mastodon.example.org/users/admin#likes/2",
        "actor": "http://mastodon.example.org/users/admin",
        "object_id": "http://localtesting.pleroma.lol/objects/eb92579d-3417-42a8-8652-2492c2d4f454",
    },
    "mastodon/move.json": {
        "type": "Move",
        "id": "https://mastodon.example/users/alice#moves/1",
        "actor": "https://mastodon.example/users/alice",
        "object_id": "https://mastodon.example/users/alice",
        "visibility": "private",
        "target": "https://alice.com/users/109835986274379",
    },
    "mastodon/note_direct.json": {
        "type": "Note",
        "id": "https://mastodon.world/users/nutomic/statuses/110854468010322301",
        "by": "https://mastodon.world/users/nutomic",
        "visibility": "direct",
        "content": "</span></a></span> 444</p>",
        "language": "es",
        "reply_to": "https://mastodon.world/users/nutomic/statuses/110854464248188528",
        "mentions": ["https://ds9.lemmy.ml/u/nutomic"],
    },
    "mastodon/person.json": {
        "type": "Person",
        "id": "https://masto.qa.urbanwildlife.biz/users/mastodon",
        "username": "mastodon",
        "inbox": "https://masto.qa.urbanwildlife.biz/users/mastodon/inbox",
        "shared_inbox": "https://masto.qa.urbanwildlife.biz/inbox",
        "followers": "https://masto.qa.urbanwildlife.biz/users/mastodon/followers",
        "url": "https://masto.qa.urbanwildlife.biz/@mastodon",
        "icon": "https://masto.qa.urbanwildlife.biz/system/accounts/avatars/109/105/103/301/739/269/original/2cf61ff96e94cb1d.png",
        "key_id": "https://masto.qa.urbanwildlife.biz/users/mastodon#main-key",
        "locked": False,
    },
    "mastodon/reject_follow.json": {
        "type": "Reject",
        "id": "http://mastodon.example.org/users/admin#rejects/follows/4",
        "actor": "http://mastodon.example.org/users/admin",
        "object_id": "http://localtesting.pleroma.lol/users/lain#follows/4",
        "embedded": "Follow",
        "embedded_actor": "http://localtesting.pleroma.lol/users/lain",
    },
    "mastodon/undo_announce.json": {
        "type": "Undo",
        "id": "http://mastodon.example.org/users/admin#announces/100011594053806179/undo",
        "actor": "http://mastodon.example.org/users/admin",
        "object_id": "http://mastodon.example.org/users/admin/statuses/99542391527669785/activity",
        "embedded": "Announce",
        "embedded_actor": "http://mastodon.example.org/users/admin",
    },
    "mastodon/undo_block.json": {
        "type": "Undo",
        "id": "http://mastodon.example.org/users/admin#blocks/2/undo",
        "actor": "http://mastodon.example.org/users/admin",
        "object_id": "http://mastodon.example.org/users/admin#blocks/2",
        "embedded": "Block",
        "embedded_actor": "http://mastodon.example.org/users/admin",
    },
    "mastodon/undo_follow.json": {
        "type": "Undo",
        "id": "http://mastodon.example.org/users/admin#follow/2/undo",
        "actor": "http://mastodon.example.org/users/admin",
        "object_id": "http://mastodon.example.org/users/admin#follows/2",
        "embedded": "Follow",
        "embedded_actor": "http://mastodon.example.org/users/admin",
    },
    "mastodon/undo_like.json": {
        "type": "Undo",
        "id": "http://mastodon.example.org/users/admin#likes/2/undo",
        "actor": "http://mastodon.example.org/users/admin",
        "object_id": "http://mastodon.example.org/users/admin#likes/2",
        "embedded": "Like",
        "embedded_actor": "http://mastodon.example.org/users/admin",
    },
    "mastodon/update_person.json": {
        "type": "Update",
        "id": "http://mastodon.example.org/users/gargron#updates/1519563538",
        "actor": "http://mastodon.example.org/users/gargron",
        "object_id": "http://mastodon.example.org/users/gargron",
        "embedded": "Person",
    },
    # ---- misskey
    "misskey/create_note.json": {
        "type": "Create",
        "id": "https://mk.absturztau.be/notes/93e7nm8wqg/activity",
        "actor": "https://mk.absturztau.be/users/8ozbzjs3o8",
        "object_id": "https://mk.absturztau.be/notes/93e7nm8wqg",
        "visibility": "public",
        "object": {
            "type": "Note",
            "id": "https://mk.absturztau.be/notes/93e7nm8wqg",
            "by": "https://mk.absturztau.be/users/8ozbzjs3o8",
            "visibility": "public",
            "content": "meow",
        },
    },
    "misskey/like_custom_emoji_reaction.json": {
        "type": "Like",
        "id": "https://misskey.local.live/likes/917ocsybgp",
        "actor": "https://misskey.local.live/users/8x8yep20u2",
        "object_id": "https://pleroma.local.live/objects/89937a53-2692-4631-bb62-770091267391",
    },
    "misskey/note.json": {
        "type": "Note",
        "id": "https://misskey.io/notes/8vs6wxufd0",
        "by": "https://misskey.io/users/83ssedkv53",
        "visibility": "public",
        "content": "Fantiaこれできないように過去のやつは従量課金だった気がする",
    },
    "misskey/note_quote.json": {
        "type": "Note",
        "id": "https://misskey.io/notes/8vs6ylpfez",
        "by": "https://misskey.io/users/7rkrarq81i",
        "visibility": "public",
        "content": '<br><br>RE: </span><a href="https://misskey.io/notes/8vs6wxufd0">',
    },
    "misskey/person.json": {
        "type": "Person",
        "id": "https://misskey.io/users/7rkrarq81i",
        "username": "syuilo",
        "inbox": "https://misskey.io/users/7rkrarq81i/inbox",
        "shared_inbox": "https://misskey.io/inbox",
        "followers": "https://misskey.io/users/7rkrarq81i/followers",
        "url": "https://misskey.io/@syuilo",
        "icon": "https://media.misskeyusercontent.com/misskey/webpublic-b2dc591e-58b6-4df7-b7c9-1cba199f6619.png",
        "key_id": "https://misskey.io/users/7rkrarq81i#main-key",
        "locked": False,
    },
    "misskey/person_sparse.json": {
        "type": "Person",
        "id": "https://misskey.io/users/8dhi2ne167",
        "username": "mkljczk",
        "inbox": "https://misskey.io/users/8dhi2ne167/inbox",
        "shared_inbox": "https://misskey.io/inbox",
        "followers": "https://misskey.io/users/8dhi2ne167/followers",
        "url": "https://misskey.io/@mkljczk",
        "icon": None,
        "key_id": "https://misskey.io/users/8dhi2ne167#main-key",
        "locked": False,
    },
    "misskey/question_no_end_date.json": {
        "type": "Question",
        "id": "https://skippers-bin.com/notes/7x9tmrp97i",
        "by": "https://skippers-bin.com/users/7v1w1r8ce6",
        "visibility": "public",
        "content": "How are your notifications now?",
        "mentions": ["https://marchgenso.me/users/march"],
    },
    "misskey/sharkey_create_direct_message.json": {
        "type": "Create",
        "id": "https://sharkey.example/notes/9tzc1d9662s90262/activity",
        "actor": "https://sharkey.example/users/9kfweg7wmdw7fnnt",
        "object_id": "https://sharkey.example/notes/9tzc1d9662s90262",
        "visibility": "direct",
        "object": {
            "type": "Note",
            "id": "https://sharkey.example/notes/9tzc1d9662s90262",
            "by": "https://sharkey.example/users/9kfweg7wmdw7fnnt",
            "visibility": "direct",
            "content": "</a> hi :3</p>",
            "mentions": ["https://aster.example/users/690d0271-4147-4302-ac50-7806f3ad8f87"],
        },
    },
    "misskey/sharkey_follow.json": {
        "type": "Follow",
        "id": "https://sharkey.example/follows/9spb5qhlz5jp0032",
        "actor": "https://sharkey.example/users/9kfweg7wmdw7fnnt",
        "object_id": "https://aster.example/users/1",
    },
    # ---- mobilizon
    "mobilizon/accept_join.json": {
        "type": "Accept",
        "id": "https://mobilizon.mkljczk.pl/accept/join/fef2a925-cce5-4b8e-b12f-20afe01e5a0f",
        "actor": "https://mobilizon.org/@tcit",
        "object_id": "https://pleroma.mkljczk.pl/activities/7d1f3986-8b2c-48c2-b89e-d27ba8459777",
        "embedded": "Join",
        "embedded_actor": "https://pleroma.mkljczk.pl/users/mkljczk",
    },
    "mobilizon/create_event.json": {
        "type": "Create",
        "id": "https://mobilizon.fr/events/39a0c4a6-f2b6-41dc-bbe2-fc5bff76cc93/activity",
        "actor": "https://mobilizon.fr/@metacartes",
        "object_id": "https://mobilizon.fr/events/39a0c4a6-f2b6-41dc-bbe2-fc5bff76cc93",
        "visibility": "public",
        "object": {
            "type": "Event",
            "id": "https://mobilizon.fr/events/39a0c4a6-f2b6-41dc-bbe2-fc5bff76cc93",
            "by": "https://mobilizon.fr/@metacartes",
            "visibility": "public",
            "content": '<a href="https://framapiaf.org/users/tcit" class="u-url mention">',
            "name": "My first event",
            "mentions": ["https://framapiaf.org/users/tcit"],
        },
    },
    "mobilizon/create_event_in_group.json": {
        "type": "Create",
        "id": "http://mobilizon1.com/events/f270ae07-7991-453c-9bb7-3d2122ededae/activity",
        "actor": "http://mobilizon1.com/@user",
        "object_id": "http://mobilizon1.com/events/f270ae07-7991-453c-9bb7-3d2122ededae",
        "visibility": "direct",
        "object": {
            "type": "Event",
            "id": "http://mobilizon1.com/events/f270ae07-7991-453c-9bb7-3d2122ededae",
            "by": "http://mobilizon1.com/@group",
            "visibility": "direct",
            "content": '<a href="https://framapiaf.org/users/tcit" class="u-url mention">',
            "name": "My first event",
        },
    },
    "mobilizon/event.json": {
        "type": "Event",
        "id": "https://rendezvous.nomagic.uk/events/b81c0531-a57c-497d-93ba-af0f8b255498",
        "by": "https://rendezvous.nomagic.uk/@devon_caledonian_society",
        "visibility": "public",
        "content": "The dance style is like a posh c",
        "name": "Caledonian scottish dance class",
        "attachments": [("Document", "image/jpeg", "Banner")],
        "hashtags": ["#Dance", "#Caledonian", "#Lesson"],
    },
    "mobilizon/group.json": {
        "type": "Group",
        "id": "https://mobilizon.fr/@contribateliers",
        "username": "contribateliers",
        "inbox": "https://mobilizon.fr/@contribateliers/inbox",
        "shared_inbox": "https://mobilizon.fr/inbox",
        "followers": "https://mobilizon.fr/@contribateliers/followers",
        "url": "https://mobilizon.fr/@contribateliers",
        "icon": "https://mobilizon.fr/media/a94f7f8da4b39f6b375f55bd8664abff4ae61d33496df7ee23ad6bf473c3632f.png?name=contribateliers%27s%20avatar.png",
        "key_id": "https://mobilizon.fr/@contribateliers#main-key",
        "locked": False,
    },
    "mobilizon/invite_to_group.json": {
        "type": "Invite",
        "id": "http://mobilizon2.test/member/some-uuid",
        "actor": "http://mobilizon2.test/@admin",
        "object_id": "http://mobilizon.test/@mygroup",
        "target": "http://mobilizon.test/@someuser",
    },
    "mobilizon/join_event.json": {
        "type": "Join",
        "id": "https://mobilizon.mkljczk.pl/join/event/d1828aac-b57f-43c9-ac87-17388fab2bc8",
        "actor": "https://mobilizon.org/@tcit",
        "object_id": "https://pleroma.mkljczk.pl/objects/b800bdb9-2cbb-40b6-9b29-196cfbd42398",
    },
    "mobilizon/join_group.json": {
        "type": "Join",
        "id": "http://mobilizon2.test/@admin/join/event/1",
        "actor": "http://mobilizon2.test/@admin",
        "object_id": "http://mobilizon.test/events/some-uuid",
    },
    "mobilizon/leave.json": {
        "type": "Leave",
        "id": "http://mobilizon2.test/@admin/join/event/1",
        "actor": "http://mobilizon2.test/@admin",
        "object_id": "http://mobilizon.test/events/some-uuid",
    },
    "mobilizon/person.json": {
        "type": "Person",
        "id": "https://mobilizon.fr/@sanof44",
        "username": "sanof44",
        "inbox": "https://mobilizon.fr/@sanof44/inbox",
        "shared_inbox": "https://mobilizon.fr/inbox",
        "followers": "https://mobilizon.fr/@sanof44/followers",
        "url": "https://mobilizon.fr/@sanof44",
        "icon": None,
        "key_id": "https://mobilizon.fr/@sanof44#main-key",
        "locked": False,
    },
    # ---- pleroma
    "pleroma/akkoma_create_direct_message.json": {
        "type": "Create",
        "id": "https://akkoma.example/activities/7d0ff46e-e6b5-46ed-8ca6-427745cb7d6a",
        "actor": "https://akkoma.example/users/alice",
        "object_id": "https://akkoma.example/objects/ceb3d417-11a0-4873-a879-7f1b07f620d4",
        "visibility": "direct",
        "object": {
            "type": "Note",
            "id": "https://akkoma.example/objects/ceb3d417-11a0-4873-a879-7f1b07f620d4",
            "by": "https://akkoma.example/users/alice",
            "visibility": "direct",
            "content": "private post to mention",
            "language": "en",
            "mentions": ["https://aster.example/users/690d0271-4147-4302-ac50-7806f3ad8f87"],
        },
    },
    "pleroma/akkoma_create_followers_only.json": {
        "type": "Create",
        "id": "https://akkoma.example/activities/a39e8d3e-3285-42bb-b92e-89e91dc2e53e",
        "actor": "https://akkoma.example/users/alice",
        "object_id": "https://akkoma.example/objects/ff8a06d0-a3e5-4f38-a6fc-d4ffdaaaa393",
        "visibility": "private",
        "object": {
            "type": "Note",
            "id": "https://akkoma.example/objects/ff8a06d0-a3e5-4f38-a6fc-d4ffdaaaa393",
            "by": "https://akkoma.example/users/alice",
            "visibility": "private",
            "content": "followers",
            "summary": "test",
            "sensitive": True,
            "language": "en",
            "mentions": ["https://aster.example/users/690d0271-4147-4302-ac50-7806f3ad8f87"],
        },
    },
    "pleroma/akkoma_create_unlisted.json": {
        "type": "Create",
        "id": "https://akkoma.example/activities/d92c50ae-7b71-4bce-8666-8a28fd002f6c",
        "actor": "https://akkoma.example/users/alice",
        "object_id": "https://akkoma.example/objects/e86244f6-ecc2-4dc6-8f70-fc8ec49fadea",
        "visibility": "unlisted",
        "object": {
            "type": "Note",
            "id": "https://akkoma.example/objects/e86244f6-ecc2-4dc6-8f70-fc8ec49fadea",
            "by": "https://akkoma.example/users/alice",
            "visibility": "unlisted",
            "content": "unlisted",
            "summary": "test",
            "sensitive": True,
            "language": "en",
            "mentions": ["https://aster.example/users/690d0271-4147-4302-ac50-7806f3ad8f87"],
        },
    },
    "pleroma/chat_message.json": {
        "type": "ChatMessage",
        "id": "https://queer.hacktivis.me/objects/2",
        "by": "https://queer.hacktivis.me/users/lanodan",
        "visibility": "direct",
        "content": "Hi!",
    },
    "pleroma/create_chat_message.json": {
        "type": "Create",
        "id": "http://2hu.gensokyo/objects/1",
        "actor": "http://2hu.gensokyo/users/raymoo",
        "object_id": "http://2hu.gensokyo/objects/2",
        "visibility": "direct",
        "object": {
            "type": "ChatMessage",
            "id": "http://2hu.gensokyo/objects/2",
            "by": "http://2hu.gensokyo/users/raymoo",
            "visibility": "direct",
            "content": "You expected a cute girl? Too bad. <script>",
        },
    },
    "pleroma/create_note.json": {
        "type": "Create",
        "id": "https://greenish.red/activities/db61d52b-9c35-486a-bf27-bbd4edc6c6a1",
        "actor": "https://greenish.red/users/nutomic",
        "object_id": "https://greenish.red/objects/1a522f2e-d5ab-454b-93d7-e58bc0650c2a",
        "visibility": "public",
        "object": {
            "type": "Note",
            "id": "https://greenish.red/objects/1a522f2e-d5ab-454b-93d7-e58bc0650c2a",
            "by": "https://greenish.red/users/nutomic",
            "visibility": "public",
            "content": "</a></span> test",
            "reply_to": "https://enterprise.lemmy.ml/post/55143",
            "mentions": ["https://enterprise.lemmy.ml/u/picard"],
        },
    },
    "pleroma/create_reply_to_misskey.json": {
        "type": "Create",
        "id": "https://p.helene.moe/activities/5f80db86-a9bb-4883-9845-fbdbd1478f3a",
        "actor": "https://p.helene.moe/users/helene",
        "object_id": "https://p.helene.moe/objects/fd5910ac-d9dc-412e-8d1d-914b203296c4",
        "visibility": "public",
        "object": {
            "type": "Note",
            "id": "https://p.helene.moe/objects/fd5910ac-d9dc-412e-8d1d-914b203296c4",
            "by": "https://p.helene.moe/users/helene",
            "visibility": "public",
            "content": "</a></span> meow",
            "reply_to": "https://mk.absturztau.be/notes/93e7nm8wqg",
            "mentions": ["https://mk.absturztau.be/users/8ozbzjs3o8"],
        },
    },
    "pleroma/delete.json": {
        "type": "Delete",
        "id": "https://greenish.red/activities/52f0b259-596e-429f-8a1b-c0b455f8932b",
        "actor": "https://greenish.red/users/vpzom",
        "object_id": "https://greenish.red/objects/38e2b983-ebf5-4387-9bc2-3b80305469c9",
        "visibility": "public",
    },
    "pleroma/emoji_react.json": {
        "type": "EmojiReact",
        "id": "http://mastodon.example.org/users/admin#reactions/2",
        "actor": "http://mastodon.example.org/users/admin",
        "object_id": "http://localtesting.pleroma.lol/objects/eb92579d-3417-42a8-8652-2492c2d4f454",
    },
    "pleroma/follow.json": {
        "type": "Follow",
        "id": "https://mycrowd.ca/activities/dab6a4d3-0db0-41ee-8aab-7bfa4929b4fd",
        "actor": "https://mycrowd.ca/users/kinetix",
        "object_id": "https://lemmy.ca/u/kinetix",
        "visibility": "direct",
    },
    "pleroma/note.json": {
        "type": "Note",
        "id": "https://queer.hacktivis.me/objects/8d4973f4-53de-49cd-8c27-df160e16a9c2",
        "by": "https://queer.hacktivis.me/users/lanodan",
        "visibility": "unlisted",
        "content": "Have what?",
        "reply_to": "https://enterprise.lemmy.ml/post/55143",
        "mentions": ["https://pleroma.popolon.org/users/popolon"],
    },
    "pleroma/person.json": {
        "type": "Person",
        "id": "https://queer.hacktivis.me/users/lanodan",
        "username": "lanodan",
        "inbox": "https://queer.hacktivis.me/users/lanodan/inbox",
        "shared_inbox": "https://queer.hacktivis.me/inbox",
        "followers": "https://queer.hacktivis.me/users/lanodan/followers",
        "url": "https://queer.hacktivis.me/users/lanodan",
        "icon": "https://queer.hacktivis.me/media/d23cf9b0-5586-4592-aca5-9a52777a6042/avatar_HD.png",
        "key_id": "https://queer.hacktivis.me/users/lanodan#main-key",
        "locked": False,
    },
    # ---- wordpress
    "wordpress/announce_update_article.json": {
        "type": "Announce",
        "id": "https://pfefferle.org/lemmy-part-4/#activity#activity",
        "actor": "https://pfefferle.org/@pfefferle.org",
        "object_id": "https://pfefferle.org/lemmy-part-4/#activity",
        "visibility": "public",
        "shares": "https://pfefferle.org/lemmy-part-4/",
        "embedded": "Update",
    },
    "wordpress/article.json": {
        "type": "Article",
        "id": "https://dbzer0.com/?p=27948",
        "by": "https://dbzer0.com/blog/author/db0/",
        "visibility": "public",
        "content": "My first test for this was print",
        "name": "An Epic 3D-Printed Fan Expansion for Last Light",
        "summary": "I like the Last Light boardgame, so I we",
        "language": "en",
        "attachments": [
            ("Image", "image/png", "A fleet of varied spacships"),
            ("Image", "image/jpeg", None),
            ("Image", "image/png", None),
            ("Image", "image/jpeg", None),
        ],
        "hashtags": ["#3DPrinting", "#ai", "#Boardgames", "#GenAI", "#LastLight"],
    },
    "wordpress/blog_group.json": {
        "type": "Group",
        "id": "https://dbzer0.com/?author=0",
        "username": "dbzer0.com",
        "inbox": "https://dbzer0.com/wp-json/activitypub/1.0/actors/0/inbox",
        "shared_inbox": "https://dbzer0.com/wp-json/activitypub/1.0/inbox",
        "followers": "https://dbzer0.com/wp-json/activitypub/1.0/actors/0/followers",
        "url": "https://dbzer0.com",
        "icon": "https://i0.wp.com/dbzer0.com/wp-content/uploads/2024/12/cropped-8b790ffc-2b23-461a-ae98-1bd743cf66bc.webp?fit=512%2C512&#038;ssl=1",
        "key_id": "https://dbzer0.com/?author=0#main-key",
        "locked": False,
    },
    "wordpress/comment_note.json": {
        "type": "Note",
        "id": "https://pfefferle.org?c=148",
        "by": "https://pfefferle.org/author/pfefferle/",
        "visibility": "public",
        "content": "Nice! Hello from WordPress!",
        "language": "en",
        "reply_to": "https://socialhub.activitypub.rocks/ap/object/ce040f1ead95964f6dbbf1084b81432d",
    },
    "wordpress/person.json": {
        "type": "Person",
        "id": "https://pfefferle.org/author/pfefferle/",
        "username": "matthias",
        "inbox": "https://pfefferle.org/wp-json/activitypub/1.0/users/1/inbox",
        "shared_inbox": "https://pfefferle.org/wp-json/activitypub/1.0/inbox",
        "followers": "https://pfefferle.org/wp-json/activitypub/1.0/users/1/followers",
        "url": "https://pfefferle.org/author/pfefferle/",
        "icon": "https://secure.gravatar.com/avatar/a2bdca7870e859658cece96c044b3be5?s=120&#038;d=mm&#038;r=g",
        "key_id": "https://pfefferle.org/author/pfefferle/#main-key",
        "locked": False,
    },
    "wordpress/pterotype_create_article.json": {
        "type": "Create",
        "id": "https://wedistribute.org/wp-json/pterotype/v1/object/85809",
        "actor": "https://wedistribute.org/wp-json/pterotype/v1/actor/-blog",
        "object_id": "https://wedistribute.org/wp-json/pterotype/v1/object/85810",
        "visibility": "public",
        "object": {
            "type": "Article",
            "id": "https://wedistribute.org/wp-json/pterotype/v1/object/85810",
            "by": "https://wedistribute.org/wp-json/pterotype/v1/actor/-blog",
            "visibility": "public",
            "content": "The days of OStatus are numbered",
            "name": "The end is near: Mastodon plans to drop OStatus support",
            "summary": "One of the largest platforms in the fede",
        },
    },
    "wordpress/pterotype_organization.json": {
        "type": "Organization",
        "id": "https://wedistribute.org/wp-json/pterotype/v1/actor/-blog",
        "username": "blog",
        "inbox": "https://wedistribute.org/wp-json/pterotype/v1/actor/-blog/inbox",
        "shared_inbox": None,
        "followers": "https://wedistribute.org/wp-json/pterotype/v1/actor/-blog/followers",
        "url": "https://wedistribute.org/",
        "icon": "https://wedistribute.org/wp-content/uploads/2019/02/b067de423757a538.png",
        "key_id": "https://wedistribute.org/wp-json/pterotype/v1/actor/-blog#publicKey",
        "locked": False,
    },
    # ---- writefreely
    "writefreely/accept_follow.json": {
        "type": "Accept",
        "id": "https://write.as/api/collections/matt#accept-tu3ohbgbzs5ss6dwukx6",
        "actor": "https://write.as/api/collections/matt",
        "object_id": "https://mastodon.example/2f1c6b1e-3e0b-4f7a-9a51-8e3c0d6f1b2a",
        "embedded": "Follow",
        "embedded_actor": "https://mastodon.example/users/reader",
    },
    "writefreely/create_article.json": {
        "type": "Create",
        "id": "https://write.as/api/posts/8xr4c7rz1l2hdyzu",
        "actor": "https://write.as/api/collections/matt",
        "object_id": "https://write.as/api/posts/8xr4c7rz1l2hdyzu",
        "visibility": "public",
        "object": {
            "type": "Article",
            "id": "https://write.as/api/posts/8xr4c7rz1l2hdyzu",
            "by": "https://write.as/api/collections/matt",
            "visibility": "public",
            "content": "Long-form writing travels as an",
            "name": "Notes on federating long-form writing",
            "language": "en",
            "hashtags": ["#fediverse"],
        },
    },
    "writefreely/delete_article.json": {
        "type": "Delete",
        "id": "https://write.as/api/posts/8xr4c7rz1l2hdyzu#Delete",
        "actor": "https://write.as/api/collections/matt",
        "object_id": "https://write.as/api/posts/8xr4c7rz1l2hdyzu",
        "object": {
            "type": "Article",
            "id": "https://write.as/api/posts/8xr4c7rz1l2hdyzu",
            "by": "https://write.as/api/collections/matt",
            "visibility": "public",
            "content": "Long-form writing travels as an",
            "name": "Notes on federating long-form writing",
            "language": "en",
            "hashtags": ["#fediverse"],
        },
    },
    "writefreely/person.json": {
        "type": "Person",
        "id": "https://write.as/api/collections/matt",
        "username": "matt",
        "inbox": "https://write.as/api/collections/matt/inbox",
        "shared_inbox": None,
        "followers": "https://write.as/api/collections/matt/followers",
        "url": "https://write.as/matt/",
        "icon": "https://cdn.writeas.net/img/avatars/m.png",
        "key_id": "https://write.as/api/collections/matt#main-key",
        "locked": False,
    },
    "writefreely/update_article.json": {
        "type": "Update",
        "id": "https://write.as/api/posts/8xr4c7rz1l2hdyzu",
        "actor": "https://write.as/api/collections/matt",
        "object_id": "https://write.as/api/posts/8xr4c7rz1l2hdyzu",
        "object": {
            "type": "Article",
            "id": "https://write.as/api/posts/8xr4c7rz1l2hdyzu",
            "by": "https://write.as/api/collections/matt",
            "visibility": "public",
            "content": "Long-form writing travels as an",
            "name": "Notes on federating long-form writing (revised)",
            "language": "en",
            "hashtags": ["#fediverse"],
        },
    },
}


def _load(name: str) -> dict[str, Any]:
    doc = json.loads((PEERS / name).read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def _fixture_names() -> list[str]:
    return sorted(str(p.relative_to(PEERS)) for p in PEERS.rglob("*.json"))


def test_every_fixture_has_expectations_and_a_listed_source() -> None:
    names = _fixture_names()
    assert names == sorted(EXPECTED), "a fixture without expectations, or expectations for none"
    readme = (PEERS / "README.md").read_text(encoding="utf-8")
    unlisted = [name for name in names if f"`{name}`" not in readme]
    assert not unlisted, f"fixtures missing from tests/fixtures/peers/README.md: {unlisted}"
    softwares = {name.split("/")[0] for name in names}
    assert softwares == {
        "gotosocial", "lemmy", "mastodon", "misskey", "mobilizon", "pleroma", "wordpress",
        "writefreely",
    }  # fmt: skip


def _check_object(obj: parse.ObjectDoc, want: dict[str, Any], followers: str | None) -> None:
    assert (obj.type, obj.id) == (want["type"], want["id"])
    assert obj.attributed_to == want.get("by")
    if "visibility" in want:
        seen = visibility_from_addressing(obj.to, obj.cc, want.get("followers", followers))
        assert seen.value == want["visibility"]
    if "content" in want:
        assert want["content"] in obj.content
    else:
        assert obj.content == ""
    assert obj.name == want.get("name")
    assert obj.summary.startswith(want.get("summary", ""))
    assert bool(obj.summary) == ("summary" in want)
    assert obj.sensitive is want.get("sensitive", False)
    assert obj.language == want.get("language")
    assert obj.in_reply_to == want.get("reply_to")
    attachments = [(a.type, a.media_type, a.name) for a in obj.attachments]
    assert attachments == want.get("attachments", [])
    assert all(a.url.startswith(("https://", "http://")) for a in obj.attachments)
    assert [t.href for t in obj.tags if t.type == "Mention"] == want.get("mentions", [])
    assert [t.name for t in obj.tags if t.type == "Hashtag"] == want.get("hashtags", [])


def _check_actor(actor: parse.ActorDoc, want: dict[str, Any]) -> None:
    assert (actor.type, actor.id) == (want["type"], want["id"])
    assert actor.preferred_username == want["username"]
    assert actor.inbox == want["inbox"]
    assert actor.shared_inbox == want["shared_inbox"]
    assert actor.followers == want["followers"]
    assert actor.url == want["url"]
    assert actor.icon == want["icon"]
    assert actor.public_key_id == want["key_id"]
    assert actor.manually_approves is want["locked"]
    # the key verifies its signatures: it must load (Mobilizon sends PKCS#1, the others SPKI)
    assert actor.public_key_pem
    serialization.load_pem_public_key(actor.public_key_pem.encode("ascii"))


def _check_activity(activity: parse.Activity, want: dict[str, Any]) -> None:
    assert (activity.type, activity.id) == (want["type"], want["id"])
    assert activity.actor == want["actor"]
    assert activity.object_id == want["object_id"]
    assert activity.target == want.get("target")
    followers = want.get("followers", f"{activity.actor}/followers")
    if "visibility" in want:
        seen = visibility_from_addressing(activity.to, activity.cc, followers)
        assert seen.value == want["visibility"]
    else:
        assert not activity.to and not activity.cc
    if activity.type == "Announce":
        assert parse.announced_object_id(activity) == want["shares"]
    if "updated" in want:
        assert activity.updated == want["updated"]
    embedded = activity.embedded
    if "object" in want:
        assert isinstance(embedded, parse.ObjectDoc)
        _check_object(embedded, want["object"], followers)
    elif "embedded" in want:
        # an actor (Update of a Person), an activity (the Follow of an Accept) or a Tombstone
        assert embedded is not None and embedded.type == want["embedded"]
        assert embedded.id == want["object_id"]
        if "embedded_actor" in want:  # an Accept names the Follow, an Undo its own activity
            assert activity.inner is not None and activity.inner.actor == want["embedded_actor"]
    else:
        assert embedded is None


@pytest.mark.parametrize("name", _fixture_names())
def test_peer_document_is_read_as_its_sender_meant_it(name: str) -> None:
    doc = _load(name)
    want = EXPECTED[name]
    kind = parse.type_of(doc)
    assert kind == want["type"]
    if kind in ACTOR_TYPES:
        _check_actor(parse.actor_doc(doc), want)
    elif kind in parse.ACTIVITY_TYPES or kind in MOBILIZON_ACTIVITIES:
        _check_activity(parse.activity(doc), want)
    else:
        obj = parse.object_doc(doc)
        _check_object(obj, want, f"{obj.attributed_to}/followers")
