"""The moving page (/settings/migration): aliases added and removed by form, a move refused
with its reason shown while the target does not list the account, then done; CSRF required."""

from __future__ import annotations

from typing import Any

from pagekit import make_user, page_token, sign_in

from fedihub import jobs, models
from fedihub.social import moves
from fedihub.web.common import RUNTIME_KEY


async def test_aliases_and_a_move_through_the_page(client: Any, app: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    domain = rt.urls.domain
    ada, bea, zoe = [await make_user(app, name) for name in ("ada", "bea", "zoe")]
    await models.Follow.create(
        follower_id=zoe.actor_id, target_id=ada.actor_id, state=models.FollowState.ACCEPTED
    )

    # ada tries to move to bea, who does not list her: refused, said on the page
    await sign_in(client, "ada")
    token = await page_token(client, "/settings/migration")
    refused = await client.post(
        "/settings/migration/move", form={"acct": f"bea@{domain}", "csrf_token": token}
    )
    assert refused.status_code == 422
    assert "does not list this account" in await refused.get_data(as_text=True)
    forged = await client.post("/settings/migration/move", form={"acct": f"bea@{domain}"})
    assert forged.status_code in (400, 403)
    assert (await models.Actor.get(id=ada.actor_id)).moved_to_id is None

    # bea lists ada on her page
    await client.post("/auth/sign_out", form={"csrf_token": token})
    await sign_in(client, "bea")
    token = await page_token(client, "/settings/migration")
    added = await client.post(
        "/settings/migration/aliases", form={"acct": f"ada@{domain}", "csrf_token": token}
    )
    assert added.status_code == 303
    page = await (await client.get("/settings/migration")).get_data(as_text=True)
    assert "@ada" in page and "/settings/migration/aliases/" in page
    bad = await client.post(
        "/settings/migration/aliases", form={"acct": "not an address", "csrf_token": token}
    )
    assert bad.status_code == 422

    # ada moves: zoe follows bea now, and ada's page says where she went
    await client.post("/auth/sign_out", form={"csrf_token": token})
    await sign_in(client, "ada")
    token = await page_token(client, "/settings/migration")
    moved = await client.post(
        "/settings/migration/move", form={"acct": f"bea@{domain}", "csrf_token": token}
    )
    assert moved.status_code == 303
    await jobs.drain(rt, kinds=[moves.MOVE_JOB])
    assert await models.Follow.filter(follower_id=zoe.actor_id, target_id=bea.actor_id).exists()
    page = await (await client.get("/settings/migration")).get_data(as_text=True)
    assert "This account has moved to" in page and "@bea" in page
    assert "You can move again after" in page
