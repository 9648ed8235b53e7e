"""Peers' URLs stored before only http(s) URLs were kept (activitypub/parse.http_url): a remote
actor's profile, avatar, header and collection URLs that are not http(s) are cleared, a remote
status's url falls back to its id, and a remote attachment that has no copy here and no http(s)
URL (nothing can ever show it) goes. Local rows are the node's own and are left alone.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

STATEMENTS = [
    "UPDATE actors SET url = NULL WHERE domain IS NOT NULL AND url IS NOT NULL AND lower(url) NOT LIKE 'http://%' AND lower(url) NOT LIKE 'https://%'",
    "UPDATE actors SET icon_url = NULL WHERE domain IS NOT NULL AND icon_url IS NOT NULL AND lower(icon_url) NOT LIKE 'http://%' AND lower(icon_url) NOT LIKE 'https://%'",
    "UPDATE actors SET header_url = NULL WHERE domain IS NOT NULL AND header_url IS NOT NULL AND lower(header_url) NOT LIKE 'http://%' AND lower(header_url) NOT LIKE 'https://%'",
    "UPDATE actors SET outbox = NULL WHERE domain IS NOT NULL AND outbox IS NOT NULL AND lower(outbox) NOT LIKE 'http://%' AND lower(outbox) NOT LIKE 'https://%'",
    "UPDATE actors SET shared_inbox = NULL WHERE domain IS NOT NULL AND shared_inbox IS NOT NULL AND lower(shared_inbox) NOT LIKE 'http://%' AND lower(shared_inbox) NOT LIKE 'https://%'",
    "UPDATE actors SET followers_url = NULL WHERE domain IS NOT NULL AND followers_url IS NOT NULL AND lower(followers_url) NOT LIKE 'http://%' AND lower(followers_url) NOT LIKE 'https://%'",
    "UPDATE actors SET following_url = NULL WHERE domain IS NOT NULL AND following_url IS NOT NULL AND lower(following_url) NOT LIKE 'http://%' AND lower(following_url) NOT LIKE 'https://%'",
    "UPDATE actors SET featured_url = NULL WHERE domain IS NOT NULL AND featured_url IS NOT NULL AND lower(featured_url) NOT LIKE 'http://%' AND lower(featured_url) NOT LIKE 'https://%'",
    "UPDATE statuses SET url = uri WHERE local = FALSE AND url IS NOT NULL AND lower(url) NOT LIKE 'http://%' AND lower(url) NOT LIKE 'https://%'",
    "DELETE FROM media_attachments WHERE storage_key IS NULL AND remote_url IS NOT NULL AND lower(remote_url) NOT LIKE 'http://%' AND lower(remote_url) NOT LIKE 'https://%'",
]


class Migration(migrations.Migration):
    dependencies = [("models", "0005_media_processing")]

    initial = False

    operations = [ops.RunSQL(STATEMENTS)]
