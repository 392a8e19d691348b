/* json_row — a SQLite row as a JSON object; see json_row.h. */
#include "json_row.h"

json_t *json_row(sqlite3_stmt *s)
{
	json_t *o = json_object();

	for (int c = 0; o && c < sqlite3_column_count(s); c++) {
		json_t *v;

		switch (sqlite3_column_type(s, c)) {
		case SQLITE_INTEGER:
			v = json_integer(sqlite3_column_int64(s, c));
			break;
		case SQLITE_FLOAT:
			v = json_real(sqlite3_column_double(s, c));
			break;
		case SQLITE_NULL:
			v = json_null();
			break;
		default:
			v = json_stringn((const char *)sqlite3_column_text(s, c),
					 (size_t)sqlite3_column_bytes(s, c));
		}
		json_object_set_new(o, sqlite3_column_name(s, c), v);
	}
	return o;
}
