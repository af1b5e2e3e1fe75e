// Package survey is the pure core of satisfaction measurement (顾客满意度测量,
// domain.md §3): the customers a programme covers, the questionnaire and its
// rating scale, the coverage rules that decide who is surveyed, a reproducible
// sample for each cycle and the statistics of the answers that come back.
//
// Nothing here does I/O or reads the clock, and every result depends only on
// its inputs, so a Temporal workflow can call it from workflow code and replay
// it, and the HTTP API can show the same numbers the workflow acted on.
package survey
