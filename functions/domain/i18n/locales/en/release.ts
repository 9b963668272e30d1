/** What the subject is told about parts of their package staff withheld before release (GDPR Art. 15(4), 20(4)). */
export const release = {
  'release.withheld.heading': 'What we withheld and why',
  'release.withheld.intro':
    'The right to a copy of your data must not adversely affect the rights and freedoms of others (GDPR Article 15(4) and Article 20(4)). Before sending this package we left out the following, for the reason given with each. You can ask our data protection officer about it, and you can complain to the supervisory authority.',
  'release.withheld.object': '{system}, {object}: every record of this kind',
  'release.withheld.record': '{system}, {object}: the record {recordId}',
  'release.withheld.field.all': '{system}, {object}: the field “{field}” in every record',
  'release.withheld.field.record': '{system}, {object}: the field “{field}” in the record {recordId}',
  'release.reason.third_party': 'It holds personal data of other people, whose rights and freedoms would be adversely affected (GDPR Article 15(4)).',
  'release.reason.staff_remarks': 'It is a private remark our staff wrote for internal use, not data about you that we use in dealing with you.',
  'release.reason.legal_privilege': 'It is covered by legal professional privilege.',
  'release.reason.other': 'Another reason:',
  'release.withheld.text.heading': 'What we withheld and why (GDPR Article 15(4), 20(4))',
};
