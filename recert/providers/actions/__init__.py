"""Every write about providers: catalog (organizations, courses, events), rosters
(completions reported) and petitions. Each action is one transaction with history."""

from recert.providers.actions.catalog import (  # noqa: F401
    approves_by_number,
    check_course_number,
    do_approve_course,
    do_approve_provider,
    do_create_provider,
    do_delete_event,
    do_invite_provider_member,
    do_save_course,
    do_save_event,
    do_send_back_course,
    do_submit_course,
    refresh_search,
)
from recert.providers.actions.petitions import (  # noqa: F401
    bodies_waiting_for_petition,
    do_answer_petition,
    do_approve_petition,
    do_ask_more_information,
    do_deny_petition,
    do_file_petition,
    do_promote_petition,
)
from recert.providers.actions.rosters import (  # noqa: F401
    CourseNotApproved,
    claimable_rows,
    do_claim_roster_row,
    do_correct_roster_row,
    do_post_roster,
    do_process_roster,
    do_upload_roster,
    do_withdraw_roster_row,
)
