import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from . import registry
from .models import ProviderSetting


class ProviderSettingForm(forms.ModelForm):
    path = forms.ChoiceField(label="Adaptateur", choices=())

    class Meta:
        model = ProviderSetting
        fields = ["path", "active", "priority", "options"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["path"].choices = [
            (path, path.rsplit(".", 1)[-1]) for path in registry.adapter_paths()
        ]


@admin.register(ProviderSetting)
class ProviderSettingAdmin(admin.ModelAdmin):
    form = ProviderSettingForm
    list_display = ["name", "channel", "priority", "active", "cooldown", "updated_at"]
    list_editable = ["priority", "active"]
    list_filter = ["channel", "active"]
    readonly_fields = ["name", "channel", "cooldown", "updated_at"]
    ordering = ["channel", "priority", "name"]
    actions = ["end_cooldown"]

    @admin.display(description="pause après échecs")
    def cooldown(self, obj: ProviderSetting) -> str:
        until = registry.cooling_down({obj.name}).get(obj.name)
        if until is None:
            return "—"
        ends = timezone.localtime(dt.datetime.fromtimestamp(until, tz=dt.UTC))
        return f"jusqu’à {ends:%H:%M:%S}"

    @admin.action(description="Lever la pause des fournisseurs choisis")
    def end_cooldown(self, request, queryset) -> None:
        for setting in queryset:
            registry.clear_cooldown(setting.name)
        self.message_user(
            request,
            f"Pause levée pour {queryset.count()} fournisseur(s).",
            messages.SUCCESS,
        )
