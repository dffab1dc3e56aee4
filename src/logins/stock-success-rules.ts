/*
 * The authentication-success rules of the stock rulesets, by id: how a login is told from an
 * attack where the alert carries no rule groups (OSSEC's argv, Wazuh before 4.2). Every rule below
 * has the group `authentication_success` in its own <group>:
 *   OSSEC 4.2 (etc/rules/*.xml in ossec-hids-4.2.0): sshd 5715, PAM 5501, su/UID 5303 5304,
 *   first login 10100, dovecot 9701, imapd 3602, courier 3904, vsftpd 11402, proftpd 11205,
 *   pure-ftpd 11309, MS FTP 11503, vpopmail 9904, Horde 9305, Roundcube 9402, WordPress 9502,
 *   cPanel 11002 11003, MySQL 50105, PostgreSQL 50511, Proxmox 53403, dropbear 51009 51010,
 *   Windows 18107 18119 18126 18257 18181 18262, VMware 19110 19112, Solaris BSM 6103 6105,
 *   VPN 14120 14201 14203, Cisco IOS 4722, PIX 4323 4335, NetScreen 4506 4507, SonicWall 4810,
 *   Symantec web security 7415 7420.
 *   Wazuh 4.14 (ruleset/rules/*.xml at v4.14.7), where it differs: Proxmox 87203, Percona 88001,
 *   Windows 60106 60118 60119 61072 64102 64105 92651 92652 92657.
 * Left out on purpose: rules that also carry a failure group (Wazuh 99903/99904 are both
 * authentication_failed and authentication_success), and Wazuh 18108/60108/18109 (a failed
 * privileged operation, a session reconnect: in the group, but not a login).
 */
export const STOCK_SUCCESS_RULE_IDS: readonly string[] = [
  '5715', '5501', '5303', '5304', '10100', '9701', '3602', '3904', '11402', '11205', '11309', '11503', '9904', '9305', '9402', '9502',
  '11002', '11003', '50105', '50511', '53403', '51009', '51010', '18107', '18119', '18126', '18257', '18181', '18262', '19110', '19112',
  '6103', '6105', '14120', '14201', '14203', '4722', '4323', '4335', '4506', '4507', '4810', '7415', '7420',
  '87203', '88001', '60106', '60118', '60119', '61072', '64102', '64105', '92651', '92652', '92657',
];

/** The rule group that marks a successful login in both rulesets. */
export const SUCCESS_GROUP = 'authentication_success';

/** Groups that make an alert an attack even when it is also in SUCCESS_GROUP (Wazuh 99903/99904). */
export const FAILURE_GROUPS: readonly string[] = ['authentication_failed', 'authentication_failures', 'invalid_login'];
