"""Everything an index holds, as plain Python values: to compare two indexes exactly."""

from __future__ import annotations

from searcher.storage import open_index


def index_contents(index_dir) -> dict:
    """Documents, stored fields, field lengths, columns, every term with its term
    statistics and every posting (document, weight, value), read through Whoosh's
    reader API. Two indexes with equal contents answer every query alike."""
    ix = open_index(index_dir)
    reader = ix.reader()
    try:
        schema = ix.schema
        docs = range(reader.doc_count_all())
        contents = {
            "doc_count": reader.doc_count_all(),
            "deleted": sorted(d for d in docs if reader.is_deleted(d)),
            "field_lengths": {name: reader.field_length(name) for name in schema.names()},
            "stored": [reader.stored_fields(d) for d in docs],
            "doc_lengths": {
                name: [reader.doc_field_length(d, name) for d in docs] for name in schema.scorable_names()
            },
            "columns": {
                name: [reader.column_reader(name)[d] for d in docs]
                for name in schema.names()
                if schema[name].column_type is not None and reader.has_column(name)
            },
            "terms": {},
        }
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            matcher = reader.postings(fieldname, text)
            postings = []
            while matcher.is_active():
                postings.append((matcher.id(), float(matcher.weight()), matcher.value()))
                matcher.next()
            stats = (
                info.weight(),
                info.doc_frequency(),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
                info.min_id(),
                info.max_id(),
            )
            contents["terms"][fieldname, text] = (stats, postings)
        return contents
    finally:
        reader.close()
