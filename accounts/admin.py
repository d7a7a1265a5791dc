"""Django's user and group admin, with two widgets swapped for ones every staff member can use.

Django's two-box "filter horizontal" picker for groups and permissions draws a labelled icon
that screen readers are told to ignore the label of, and its date-and-time pair for a user's
last sign-in and joining date gives the time box no label. Here groups and permissions are a
plain labelled multiple choice, and the two dates are shown, not edited: they record what
happened, so nobody should type over them.
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User


class AccountAdmin(UserAdmin):
    filter_horizontal = ()
    readonly_fields = ("last_login", "date_joined")


class AccountGroupAdmin(GroupAdmin):
    filter_horizontal = ()


admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
admin.site.unregister(Group)
admin.site.register(Group, AccountGroupAdmin)
