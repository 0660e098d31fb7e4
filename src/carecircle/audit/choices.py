from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("账户锁定")
    LOGOUT = "logout", _("退出")
    SESSION_TIMEOUT = "session_timeout", _("会话超时")
    PASSWORD_CHANGE = "password_change", _("修改密码")
    USER_CHANGE = "user_change", _("用户或权限变更")
    USER_UNLOCK = "user_unlock", _("解锁用户")
    VIEW_RECORD = "view_record", _("查看个人完整档案")
    VIEW_FULL_ID = "view_full_id", _("查看完整身份证号")
    SEARCH_PERSON = "search_person", _("检索人员")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    MERGE = "merge", _("合并重复人员")
    BATCH_UPDATE = "batch_update", _("批量更新")
    CONFIG_CHANGE = "config_change", _("配置变更")
    VALUE_APPROVE = "value_approve", _("审核指标填报")
    VALUE_UNLOCK = "value_unlock", _("解锁已审核填报")
    PERIOD_CLOSE = "period_close", _("关账发布")
    PERIOD_REPUBLISH = "period_republish", _("重新发布期间")


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")
    DENIED = "denied", _("拒绝")
