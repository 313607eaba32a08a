-- Affiliates (issue 12, decision 047): a security firm the department invites works like a
-- customer (its users are customer accounts of its organization, its requests go through the
-- same approval queue and invoices), but it exists only by a coordinator's invitation, and a
-- coordinator can suspend it.

-- 'customer' (signed up through the portal) or 'affiliate' (invited by a coordinator).
ALTER TABLE organizations ADD COLUMN kind TEXT NOT NULL DEFAULT 'customer';
-- Set while a coordinator has suspended the organization: its users cannot sign in or request;
-- its approved jobs stay.
ALTER TABLE organizations ADD COLUMN suspended_us BIGINT;

-- One row per invitation sent to an affiliate's contact. Only the token's hash is kept; the
-- link is single-use (`accepted_us`), expires (`expires_us`), and a newer invitation to the same
-- organization revokes the older ones (`revoked_us`).
CREATE TABLE affiliate_invitations (
    token_hash TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    department_id TEXT NOT NULL REFERENCES departments (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    -- The contact's account, made with the invitation and without a password until accepted.
    user_id TEXT NOT NULL REFERENCES users (id),
    email TEXT NOT NULL,
    invited_by TEXT NOT NULL REFERENCES users (id),
    created_us BIGINT NOT NULL,
    expires_us BIGINT NOT NULL,
    accepted_us BIGINT,
    revoked_us BIGINT
);
CREATE INDEX affiliate_invitations_organization ON affiliate_invitations (organization_id, created_us);
