"""Drop the API's cached snapshots when what they were built from changes.

Invalidation runs at once (so this process and this transaction see the
change) and again after commit (so no other process keeps a snapshot it
rebuilt from the data before the commit).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from services.models import (
    ApiKey,
    GuestListEntry,
    ReplyToAddress,
    Service,
    ServiceMember,
    SmsSender,
    User,
)
from templates_app.models import Template, TemplateVersion

from . import cache

SERVICE_OWNED = (ApiKey, GuestListEntry, ReplyToAddress, ServiceMember, SmsSender)


def _invalidate(service_id) -> None:
    if service_id is None:
        return
    cache.invalidate_service(service_id)
    transaction.on_commit(lambda: cache.invalidate_service(service_id))


@receiver([post_save, post_delete], sender=Service)
def _service_changed(sender, instance, **kwargs) -> None:
    _invalidate(instance.pk)


def _service_part_changed(sender, instance, **kwargs) -> None:
    _invalidate(instance.service_id)


def _template_version_changed(sender, instance, **kwargs) -> None:
    _invalidate(instance.template.service_id)


for _model in SERVICE_OWNED + (Template,):
    post_save.connect(_service_part_changed, sender=_model)
    post_delete.connect(_service_part_changed, sender=_model)
post_save.connect(_template_version_changed, sender=TemplateVersion)


TEAM_FIELDS = frozenset({"email", "mobile_number"})


@receiver(post_save, sender=User)
def _user_changed(sender, instance, update_fields=None, **kwargs) -> None:
    # A member's email address or mobile number is part of the team that a
    # trial service or a team key may send to; other changes (a sign-in's
    # last_login) leave the cache alone.
    if update_fields is not None and not TEAM_FIELDS & set(update_fields):
        return
    for service_id in ServiceMember.objects.filter(user=instance).values_list(
        "service_id", flat=True
    ):
        _invalidate(service_id)
