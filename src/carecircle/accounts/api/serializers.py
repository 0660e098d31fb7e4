from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from carecircle.accounts.models import User


class MeSerializer(serializers.ModelSerializer):
    """The caller's own role and scope (no other user's data)."""

    role_display = serializers.CharField(source="get_role_display", read_only=True)
    scope_area_code = serializers.CharField(
        source="scope_area.code", read_only=True, allow_null=True, default=None
    )
    scope_area_name = serializers.CharField(
        source="scope_area.name", read_only=True, allow_null=True, default=None
    )
    institution = serializers.UUIDField(
        source="institution.uuid", read_only=True, allow_null=True, default=None
    )
    institution_name = serializers.CharField(
        source="institution.name", read_only=True, allow_null=True, default=None
    )
    scope_label = serializers.CharField(read_only=True)
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "username",
            "last_name",
            "first_name",
            "role",
            "role_display",
            "scope_area_code",
            "scope_area_name",
            "institution",
            "institution_name",
            "scope_domain",
            "scope_label",
            "must_change_password",
            "permissions",
        ]
        read_only_fields = fields

    def get_permissions(self, user) -> list[str]:
        return sorted(user.get_all_permissions())


class ApiLoginSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"), max_length=150)
    password = serializers.CharField(
        label=_("密码"), max_length=4096, style={"input_type": "password"}, trim_whitespace=False
    )


class ApiTokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    expires_in = serializers.IntegerField(read_only=True, help_text=_("有效秒数"))


class AccountsErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
