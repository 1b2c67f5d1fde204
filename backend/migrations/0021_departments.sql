-- Department accounts (部门账号): the departments that keep people's livelihoods safe see and
-- keep the ledgers of their own groups. A user's department is null for every other account.
ALTER TABLE users ADD COLUMN department text CHECK (
    department IN (
        'civil_affairs', 'disability_federation', 'veterans_affairs', 'justice', 'public_security'
    )
);
