-- People sign in through the company's identity provider. A session is kept by the sha256 of its
-- cookie (the database never holds a value that signs anyone in), with the person as signed in and
-- the ID token for the provider's logout. A sign-in in progress (state, nonce, PKCE verifier) is
-- kept the same way until its callback takes it, once.
create table sessions (
  id_hash text primary key,
  person jsonb not null,
  id_token text,
  created_at timestamptz not null,
  seen_at timestamptz not null,
  expires_at timestamptz not null
);
create index sessions_expires_idx on sessions (expires_at);

create table sign_in_attempts (
  id_hash text primary key,
  state text not null,
  nonce text not null,
  code_verifier text not null,
  return_to text not null,
  created_at timestamptz not null
);
create index sign_in_attempts_created_idx on sign_in_attempts (created_at);

-- The decision log names the person: the provider's email and subject when they signed in, and
-- the page as a way of calling besides the API (a token) and Slack.
alter table decisions add column author_email text;
alter table decisions add column author_subject text;
alter table decisions drop constraint decisions_via_check;
alter table decisions add constraint decisions_via_check check (via in ('api', 'slack', 'page'));
alter table deferral_acks drop constraint deferral_acks_via_check;
alter table deferral_acks add constraint deferral_acks_via_check check (via in ('api', 'slack', 'page', 'override'));
