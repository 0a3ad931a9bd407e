from django.contrib import admin

from .models import Template, TemplateVersion


class TemplateVersionInline(admin.TabularInline):
    model = TemplateVersion
    extra = 0
    fields = ["version", "name", "created_by", "created_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "service", "channel", "version", "archived", "updated_at"]
    list_filter = ["channel", "archived"]
    search_fields = ["name", "service__name", "id"]
    list_select_related = ["service"]
    readonly_fields = ["id", "version", "created_at", "updated_at", "created_by"]
    inlines = [TemplateVersionInline]


@admin.register(TemplateVersion)
class TemplateVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "template", "version", "channel", "created_at"]
    list_filter = ["channel"]
    search_fields = ["name", "template__id"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
