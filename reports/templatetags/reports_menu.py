from django import template

from reports.menu import shows_reports

register = template.Library()

register.filter("shows_reports", shows_reports)
