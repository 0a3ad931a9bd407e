"""What every back-office page needs: the current service and the user's
other services (for the switcher)."""


def backoffice(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_verified():
        return {}
    member = getattr(request, "member", None)
    return {
        "current_service": getattr(request, "service", None),
        "current_member": member,
        "user_services": [
            m.service
            for m in user.memberships.select_related("service").order_by(
                "service__name"
            )
        ],
    }
