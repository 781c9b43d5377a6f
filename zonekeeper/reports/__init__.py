"""Monthly and annual compliance reports for the safety director (issue #17).

Definitions are data (``reports/*.yaml``, see :mod:`.definitions`); figures are
computed once per report (:mod:`.compute`, aggregating in SQL and shaping in
pandas) and rendered to HTML, PDF, XLSX and CSV from that one computation.
"""
