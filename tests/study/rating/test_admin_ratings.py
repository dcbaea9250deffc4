from __future__ import annotations

from study.rating import services
from study.rating.models import Rating
from study.rating.selectors import item_token


def test_it_lists_ratings_read_only_for_staff(admin_client, rating_rater):
    item = item_token(rater=rating_rater, position=rating_rater.position)
    services.submit(token=rating_rater.token, item=item, score="4")
    rating = Rating.objects.get()
    listing = admin_client.get("/admin/rating/rating/")
    assert listing.status_code == 200
    assert str(rating.plan_item).encode() in listing.content
    assert admin_client.get("/admin/rating/rating/add/").status_code == 403
    detail = admin_client.get(f"/admin/rating/rating/{rating.pk}/change/")
    assert detail.status_code == 200
    assert b'name="score"' not in detail.content
