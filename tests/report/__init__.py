"""Tests of the plots and the HTML report of a results folder."""
