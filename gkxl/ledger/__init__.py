"""The 台账 (one row per application or 复议/诉讼 case): its columns, reading and checking its rows, and
counting them into 表三 and 表四 for a report year. Uses read/ and form/."""
