import { html } from "hono/html";
import type { Html } from "../layout.js";
import { type DashboardFrame, dashboardPage, nextLink, postForm, table } from "./layout.js";
import { fieldError, settingsTabs } from "./settings-page.js";

type Role = "owner" | "admin" | "viewer";
const ROLES: Role[] = ["owner", "admin", "viewer"];

export type MemberRow = {
  id: string;
  email: string;
  name: string;
  role: Role;
  since: string;
  pending: boolean;
  you: boolean;
};

export type TeamView = {
  members: MemberRow[];
  next: string | null;
  canManage: boolean;
  notice: string | null;
  invite: { email: string; role: string };
  inviteErrors: Partial<Record<"email" | "role", string>>;
  /** The one-time link of a new invite: shown in this answer only. */
  newLink: { email: string; url: string } | null;
  rowError: { id: string; message: string } | null;
};

function roleOptions(selected: string): Html[] {
  return ROLES.map((r) => html`<option value="${r}" ${r === selected ? "selected" : ""}>${r}</option>`);
}

function inviteForm(frame: DashboardFrame, view: TeamView): Html {
  const email = fieldError("team-email", view.inviteErrors.email);
  const role = fieldError("team-role", view.inviteErrors.role);
  return postForm(
    "/dashboard/settings/team/invite",
    frame.csrfToken,
    html`<label for="team-email">Email of the person to invite</label>
<input id="team-email" name="email" type="email" value="${view.invite.email}" maxlength="320" autocomplete="off" required ${email.attrs}>
${email.message}
<label for="team-role">Role</label>
<select id="team-role" name="role" ${role.attrs}>${roleOptions(view.invite.role || "viewer")}</select>
${role.message}
<p class="muted">Owners manage the team; admins change settings and data; viewers only look.</p>
<div><button type="submit">Invite</button></div>`,
    "settings-form",
  );
}

function memberActions(frame: DashboardFrame, m: MemberRow): Html {
  return html`<div class="settings-actions">${postForm(
    `/dashboard/settings/team/${m.id}/role`,
    frame.csrfToken,
    html`<label class="sr-only" for="role-${m.id}">Role of ${m.email}</label><select id="role-${m.id}" name="role">${roleOptions(m.role)}</select><button type="submit" aria-label="Change role of ${m.email}">Change role</button>`,
  )}${postForm(
    `/dashboard/settings/team/${m.id}/remove`,
    frame.csrfToken,
    html`<button type="submit" class="danger" aria-label="Remove ${m.email}">Remove</button>`,
  )}</div>`;
}

export function renderTeamPage(frame: DashboardFrame, view: TeamView): Html {
  const rows = view.members.map((m) => {
    const error = view.rowError?.id === m.id ? view.rowError.message : undefined;
    return html`<tr>
<td class="settings-member">${m.email}${m.you ? html` <span class="muted">(you)</span>` : ""}${m.name !== m.email ? html`<br><span class="muted">${m.name}</span>` : ""}<br><span class="muted">Since ${m.since} UTC</span></td>
<td>${m.role}${m.pending ? html`<br><span class="muted">No password yet</span>` : ""}</td>
${view.canManage ? html`<td>${memberActions(frame, m)}${error ? html`<p class="field-error" role="alert" id="member-${m.id}-error">${error}</p>` : ""}</td>` : ""}
</tr>`;
  });
  const headers = ["Member", "Role", ...(view.canManage ? ["Change"] : [])];
  return dashboardPage(
    frame,
    "Team",
    html`${settingsTabs("team")}
${view.notice ? html`<p class="ok" role="status">${view.notice}</p>` : ""}
${
  view.newLink
    ? html`<div class="ok" role="status"><p>${view.newLink.email} was added. Glade sends no email. Send this link to them: it works once, for 24 hours, and lets them choose a password. It is shown only now.</p><p class="secret" id="invite-link">${view.newLink.url}</p></div>`
    : ""
}
${view.canManage ? html`<h2>Invite a member</h2>${inviteForm(frame, view)}` : html`<p class="muted">Only owners can invite members, change roles and remove members.</p>`}
<h2>Members</h2>
${table(headers, rows, "No members yet. Invite someone above.")}
${nextLink("/dashboard/settings/team", view.next)}`,
  );
}
