from django.contrib.auth.backends import BaseBackend

from carecircle.accounts.roles import permissions_for


class RolePermissionBackend(BaseBackend):
    """Grants the permissions of the user's role; authenticates nobody."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return permissions_for(user_obj.role)

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
