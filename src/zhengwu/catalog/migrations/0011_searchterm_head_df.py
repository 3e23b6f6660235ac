"""SearchTerm.head_df: the documents whose headline carries a term (the ranking's IDF, issue 28).

Filled here from the postings already written, so an upgraded index ranks right without a rebuild.
"""

from django.db import migrations, models

# search.index.is_headline when this migration was written: a heavy posting, or a character n-gram.
HEADLINE_MIN_WEIGHT = 1.5
NGRAM_PREFIX = "~"


def fill(apps, schema_editor):
    conn = schema_editor.connection
    term = conn.ops.quote_name(apps.get_model("catalog", "SearchTerm")._meta.db_table)
    posting = conn.ops.quote_name(apps.get_model("catalog", "SearchPosting")._meta.db_table)
    with conn.cursor() as cur:
        cur.execute(f"SELECT p.term_id, COUNT(*) FROM {posting} p JOIN {term} t ON t.id = p.term_id "
                    f"WHERE p.weight >= %s OR t.term LIKE %s GROUP BY p.term_id", [HEADLINE_MIN_WEIGHT, NGRAM_PREFIX + "%"])
        counts = cur.fetchall()
        for i in range(0, len(counts), 5000):
            cur.executemany(f"UPDATE {term} SET head_df = %s WHERE id = %s",
                            [(n, term_id) for term_id, n in counts[i:i + 5000]])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0010_min_real_name_level")]

    operations = [
        migrations.AddField(
            model_name="searchterm",
            name="head_df",
            field=models.PositiveIntegerField(default=0, verbose_name="标题文档数"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
