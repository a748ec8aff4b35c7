"""Tests for accounts.py (python3 -m unittest test_accounts); needs no dash.
Kept out of the image by .dockerignore (test_*.py)."""

import unittest

from accounts import ACCOUNTS, admin_groups, current_user, is_admin, parse_groups, visible_accounts


class ParseGroups(unittest.TestCase):
    def test_comma_separated_upper_case_with_blanks_and_repeats(self):
        self.assertEqual(parse_groups(" ADMIN_USERS, dash_users,,Dash_Users "), ["admin_users", "dash_users"])

    def test_missing_or_empty(self):
        self.assertEqual(parse_groups(None), [])
        self.assertEqual(parse_groups(""), [])


class CurrentUser(unittest.TestCase):
    def test_environment_wins(self):
        env = {"SHINYPROXY_USERNAME": "Ana@Example.org", "SHINYPROXY_USERGROUPS": "DASH_USERS"}
        headers = {"X-SP-UserId": "mallory@example.org", "X-SP-UserGroups": "ADMIN_USERS"}
        self.assertEqual(current_user(env, headers), ("ana@example.org", ["dash_users"]))

    def test_headers_for_pre_started_containers(self):
        headers = {"X-SP-UserId": "bo@example.org", "X-SP-UserGroups": "DASH_USERS,ADMIN_USERS"}
        self.assertEqual(current_user({}, headers), ("bo@example.org", ["dash_users", "admin_users"]))

    def test_nobody(self):
        self.assertEqual(current_user({}, {}), ("", []))


class VisibleAccounts(unittest.TestCase):
    def test_admin_sees_every_account(self):
        rows = visible_accounts("cy@example.org", ["ADMIN_USERS"])
        self.assertEqual(len(rows), len(ACCOUNTS))

    def test_sales_rep_sees_only_their_accounts(self):
        rows = visible_accounts("Ana@example.org", ["dash_users"])
        self.assertEqual([r["account"] for r in rows], ["Acme Corp", "Globex"])
        self.assertTrue(all(r["owner"] == "ana@example.org" for r in rows))

    def test_user_without_accounts_sees_nothing(self):
        self.assertEqual(visible_accounts("dee@example.org", ["dash_users"]), [])

    def test_unknown_user_sees_nothing(self):
        self.assertEqual(visible_accounts("", []), [])
        self.assertEqual(visible_accounts("   ", ["dash_users"]), [])

    def test_admin_groups_from_the_environment(self):
        self.assertEqual(admin_groups({}), ["admin_users"])
        self.assertEqual(admin_groups({"ADMIN_GROUPS": "Managers, auditors"}), ["managers", "auditors"])
        self.assertTrue(is_admin(["MANAGERS"], admin_groups({"ADMIN_GROUPS": "managers"})))
        rows = visible_accounts("bo@example.org", ["admin_users"], admins=["managers"])
        self.assertEqual([r["account"] for r in rows], ["Initech", "Umbrella"])


if __name__ == "__main__":
    unittest.main()
