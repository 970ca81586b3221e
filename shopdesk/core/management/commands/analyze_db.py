from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = "Refresh the database's query-planner statistics (ANALYZE)."

    def handle(self, *args: object, **options: object) -> None:
        # Without statistics SQLite picks the first index on shop_id for every list and
        # counts 100,000 rows through the table instead of a partial index.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if options.get("verbosity", 1):
            self.stdout.write("Database statistics refreshed.")
